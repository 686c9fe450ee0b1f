package io.netpoll.sample.kv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Executes parsed commands against a {@link KeyValueStore}: finds the command, checks its arity,
 * runs it, and turns a {@link KvException} into an error reply. Shared by all connections;
 * thread-safe (the store is, and the table is read-only once built).
 */
public final class CommandExecutor {

    /** Expired keys reclaimed before each command, at most (see {@link KeyValueStore}). */
    private static final int RECLAIM_BUDGET = 4;

    private final KeyValueStore store;
    private final CommandTable table = new CommandTable();

    public CommandExecutor(KeyValueStore store, RespLimits limits) {
        this.store = store;
        ConnectionCommands.register(table);
        StringCommands.register(table, store);
        KeyCommands.register(table, store);
        ServerCommands.register(table, store, limits);
    }

    public KeyValueStore store() {
        return store;
    }

    public CommandTable table() {
        return table;
    }

    /** Executes {@code request} and writes exactly one reply to {@code request.out}. */
    public void execute(Request request) throws IOException {
        execute(request, request.out.mallocLen());
    }

    /**
     * As {@link #execute(Request)}, {@code mark} being {@code request.out.mallocLen()} now (which
     * the session knows: one writer call less per command).
     */
    void execute(Request request, int mark) throws IOException {
        store.reclaimExpired(RECLAIM_BUDGET);
        try {
            CommandSpec spec = table.find(request.argv[0]);
            if (spec == null) {
                throw unknownCommand(request);
            }
            if (!spec.arityOk(request.argc)) {
                throw arityError(spec.name());
            }
            spec.handler().execute(request);
        } catch (KvException e) {
            request.out.mallocAck(mark); // drop a partly written reply, if any
            Resp.error(request.out, e.getMessage());
        }
    }

    static KvException arityError(String name) {
        return new KvException("ERR wrong number of arguments for '" + name + "' command");
    }

    static KvException unknownSubcommand(Request r, String container) {
        return new KvException("ERR unknown subcommand '" + cstr(r.arg(1), 128) + "'. Try " + container + " HELP.");
    }

    /** Redis's text, including its quirks: at most about 128 characters of arguments, and a trailing space. */
    private static KvException unknownCommand(Request r) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < r.argc && args.length() < 128; i++) {
            int max = 128 - args.length();
            args.append('\'').append(cstr(r.arg(i), max)).append("' ");
        }
        return new KvException("ERR unknown command '" + cstr(r.arg(0), 128) + "', with args beginning with: " + args);
    }

    /** What C's {@code %.<max>s} prints of {@code bytes}: up to the first NUL, at most {@code max} bytes. */
    private static String cstr(byte[] bytes, int max) {
        int n = 0;
        while (n < bytes.length && n < max && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }
}
