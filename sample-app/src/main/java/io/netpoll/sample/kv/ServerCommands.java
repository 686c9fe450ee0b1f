package io.netpoll.sample.kv;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.netpoll.sample.kv.Specs.spec;

/**
 * Server commands: DBSIZE, FLUSHDB, FLUSHALL, INFO, CONFIG (GET, SET, RESETSTAT) and COMMAND
 * (with COUNT, INFO, DOCS, LIST), answered so that redis-cli, redis-benchmark and client
 * libraries find what they look for when they connect; and DEBUG SLEEP.
 */
final class ServerCommands {

    private final KeyValueStore store;
    private final CommandTable table;
    private final Map<String, String> config = new LinkedHashMap<>();
    private final long startedAt = System.nanoTime();

    private ServerCommands(KeyValueStore store, CommandTable table, RespLimits limits) {
        this.store = store;
        this.table = table;
        config.put("save", "");
        config.put("appendonly", "no");
        config.put("databases", "1");
        config.put("maxmemory", "0");
        config.put("maxmemory-policy", "noeviction");
        config.put("timeout", "0");
        config.put("proto-max-bulk-len", Integer.toString(limits.maxBulkLength()));
        config.put("client-query-buffer-limit", Long.toString(limits.maxQueryBytes()));
    }

    static void register(CommandTable table, KeyValueStore store, RespLimits limits) {
        ServerCommands c = new ServerCommands(store, table, limits);
        table.add(spec(
                "dbsize",
                1,
                "readonly fast",
                0,
                0,
                0,
                "@keyspace @read @fast",
                r -> Resp.integer(r.out, store.size())));
        table.add(spec("flushdb", -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous", c::flush));
        table.add(spec("flushall", -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous", c::flush));
        table.add(spec("info", -1, "loading stale sentinel", 0, 0, 0, "@slow @dangerous", c::info));
        table.add(spec("config", -2, "", 0, 0, 0, "@slow", c::config));
        table.add(spec("command", -1, "loading stale sentinel", 0, 0, 0, "@slow @connection", c::command));
        table.add(spec(
                "debug",
                -2,
                "admin noscript loading stale",
                0,
                0,
                0,
                "@admin @slow @dangerous",
                ServerCommands::debug));
    }

    /**
     * {@code DEBUG SLEEP <seconds>} (fractions allowed, as in Redis). Redis blocks its whole
     * server for that long; here the handler blocks its thread, and in netpoll's adaptive mode
     * (the default) only this client waits: the poller's monitor hands the poller to a spare thread.
     */
    private static void debug(Request r) throws IOException {
        if (!r.is(1, "SLEEP")) {
            throw CommandExecutor.unknownSubcommand(r, "DEBUG");
        }
        ConnectionCommands.subArity(r, 3, "sleep");
        double seconds;
        try {
            seconds = Double.parseDouble(r.text(2));
        } catch (NumberFormatException e) {
            throw new KvException("ERR value is not a valid float");
        }
        if (!(seconds >= 0) || seconds > 86_400) {
            throw new KvException("ERR value is not a valid float");
        }
        long nanos = (long) (seconds * 1e9);
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Resp.ok(r.out);
    }

    private void flush(Request r) throws IOException {
        if (r.argc > 2 || (r.argc == 2 && !r.is(1, "ASYNC") && !r.is(1, "SYNC"))) {
            throw KvException.SYNTAX;
        }
        store.clear();
        Resp.ok(r.out);
    }

    private void info(Request r) throws IOException {
        long keys = store.size();
        StringBuilder s = new StringBuilder();
        s.append("# Server\r\n")
                .append("redis_version:")
                .append(ConnectionCommands.REDIS_VERSION)
                .append("\r\n")
                .append("redis_mode:standalone\r\n")
                .append("server_name:netpoll-kv\r\n")
                .append("arch_bits:64\r\n")
                .append("process_id:")
                .append(ProcessHandle.current().pid())
                .append("\r\n")
                .append("uptime_in_seconds:")
                .append((System.nanoTime() - startedAt) / 1_000_000_000L)
                .append("\r\n")
                .append("\r\n# Keyspace\r\n");
        if (keys > 0) {
            s.append("db0:keys=")
                    .append(keys)
                    .append(",expires=")
                    .append(store.expiringKeys())
                    .append(",avg_ttl=0\r\n");
        }
        Resp.bulk(r.out, s.toString());
    }

    private void config(Request r) throws IOException {
        if (r.is(1, "GET")) {
            ConnectionCommands.subArity(r, -3, "get");
            List<String> found = new ArrayList<>();
            for (Map.Entry<String, String> e : config.entrySet()) {
                for (int i = 2; i < r.argc; i++) {
                    if (Glob.matches(r.text(i), e.getKey(), true)) {
                        found.add(e.getKey());
                        found.add(e.getValue());
                        break;
                    }
                }
            }
            Resp.arrayHeader(r.out, found.size());
            for (String f : found) {
                Resp.bulk(r.out, f);
            }
        } else if (r.is(1, "SET")) {
            ConnectionCommands.subArity(r, -4, "set");
            throw new KvException("ERR Unknown option or number of arguments for CONFIG SET - '" + r.text(2) + "'");
        } else if (r.is(1, "RESETSTAT")) {
            ConnectionCommands.subArity(r, 2, "resetstat");
            Resp.ok(r.out);
        } else {
            throw CommandExecutor.unknownSubcommand(r, "CONFIG");
        }
    }

    private void command(Request r) throws IOException {
        if (r.argc == 1) {
            List<CommandSpec> all = table.all();
            Resp.arrayHeader(r.out, all.size());
            for (CommandSpec spec : all) {
                writeInfo(r, spec);
            }
        } else if (r.is(1, "COUNT")) {
            ConnectionCommands.subArity(r, 2, "count");
            Resp.integer(r.out, table.all().size());
        } else if (r.is(1, "INFO")) {
            ConnectionCommands.subArity(r, -2, "info");
            Resp.arrayHeader(r.out, r.argc - 2);
            for (int i = 2; i < r.argc; i++) {
                CommandSpec spec = table.find(r.arg(i));
                if (spec == null) {
                    Resp.raw(r.out, Resp.NULL_BULK);
                } else {
                    writeInfo(r, spec);
                }
            }
        } else if (r.is(1, "DOCS")) {
            // No documentation is served: an empty map, which redis-cli takes as "no hints".
            ConnectionCommands.subArity(r, -2, "docs");
            Resp.raw(r.out, Resp.EMPTY_ARRAY);
        } else if (r.is(1, "LIST")) {
            ConnectionCommands.subArity(r, -2, "list");
            String pattern = "*";
            if (r.argc == 5 && r.is(2, "FILTERBY") && r.is(3, "PATTERN")) {
                pattern = r.text(4);
            } else if (r.argc != 2) {
                throw KvException.SYNTAX;
            }
            List<String> names = new ArrayList<>();
            for (CommandSpec spec : table.all()) {
                if (Glob.matches(pattern, spec.name(), true)) {
                    names.add(spec.name());
                }
            }
            Resp.arrayHeader(r.out, names.size());
            for (String n : names) {
                Resp.bulk(r.out, n);
            }
        } else {
            throw CommandExecutor.unknownSubcommand(r, "COMMAND");
        }
    }

    /** Redis 7's ten-element command info (no key specs, tips or subcommands). */
    private static void writeInfo(Request r, CommandSpec spec) throws IOException {
        Resp.arrayHeader(r.out, 10);
        Resp.bulk(r.out, spec.name());
        Resp.integer(r.out, spec.arity());
        Resp.arrayHeader(r.out, spec.flags().size());
        for (String f : spec.flags()) {
            Resp.simple(r.out, f);
        }
        Resp.integer(r.out, spec.firstKey());
        Resp.integer(r.out, spec.lastKey());
        Resp.integer(r.out, spec.step());
        Resp.arrayHeader(r.out, spec.categories().size());
        for (String c : spec.categories()) {
            Resp.simple(r.out, c);
        }
        Resp.arrayHeader(r.out, 0);
        Resp.arrayHeader(r.out, 0);
        Resp.arrayHeader(r.out, 0);
    }
}
