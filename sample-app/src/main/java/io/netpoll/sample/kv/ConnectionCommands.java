package io.netpoll.sample.kv;

import java.io.IOException;

import static io.netpoll.sample.kv.Specs.spec;

/**
 * Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, CLIENT. This server speaks RESP2
 * only: {@code HELLO 3} gets {@code -NOPROTO}, which clients (Lettuce, Jedis, redis-cli) take as
 * "stay on RESP2", exactly as with a Redis server that does not know RESP3.
 */
final class ConnectionCommands {

    /** The Redis version whose replies this server reproduces, as reported by HELLO and INFO. */
    static final String REDIS_VERSION = "7.0.15";

    private ConnectionCommands() {}

    static void register(CommandTable table) {
        table.add(spec("ping", -1, "fast sentinel", 0, 0, 0, "@fast @connection", ConnectionCommands::ping));
        table.add(spec("echo", 2, "fast", 0, 0, 0, "@fast @connection", r -> Resp.bulk(r.out, r.arg(1))));
        table.add(spec(
                "quit",
                -1,
                "allow_busy noscript loading stale fast no_auth allow_busy",
                0,
                0,
                0,
                "@fast @connection",
                ConnectionCommands::quit));
        table.add(spec("select", 2, "loading stale fast", 0, 0, 0, "@keyspace @fast", ConnectionCommands::select));
        table.add(spec(
                "auth",
                -2,
                "noscript loading stale fast no_auth sentinel allow_busy",
                0,
                0,
                0,
                "@fast @connection",
                ConnectionCommands::auth));
        table.add(spec(
                "hello",
                -1,
                "noscript loading stale fast no_auth sentinel allow_busy",
                0,
                0,
                0,
                "@fast @connection",
                ConnectionCommands::hello));
        table.add(spec("client", -2, "", 0, 0, 0, "@slow", ConnectionCommands::client));
    }

    private static void ping(Request r) throws IOException {
        if (r.argc > 2) {
            throw CommandExecutor.arityError("ping");
        }
        if (r.argc == 1) {
            Resp.raw(r.out, Resp.PONG);
        } else {
            Resp.bulk(r.out, r.arg(1));
        }
    }

    private static void quit(Request r) throws IOException {
        Resp.ok(r.out);
        r.closeAfterReply = true;
    }

    private static void select(Request r) throws IOException {
        long db = r.integer(1);
        if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
            throw KvException.NOT_INTEGER;
        }
        if (db != 0) {
            throw new KvException("ERR DB index is out of range");
        }
        Resp.ok(r.out);
    }

    private static void auth(Request r) throws IOException {
        if (r.argc > 3) {
            throw KvException.SYNTAX;
        }
        if (r.argc == 2) {
            throw new KvException("ERR AUTH <password> called without any password configured for the default "
                    + "user. Are you sure your configuration is correct?");
        }
        checkUser(r, 1);
        Resp.ok(r.out);
    }

    /** The only user is {@code default}, without a password (Redis's default): any password works. */
    private static void checkUser(Request r, int i) throws IOException {
        if (!r.text(i).equals("default")) {
            throw new KvException("WRONGPASS invalid username-password pair or user is disabled.");
        }
    }

    private static void hello(Request r) throws IOException {
        int next = 1;
        if (r.argc >= 2) {
            long version;
            try {
                version = r.integer(next++);
            } catch (KvException e) {
                throw new KvException("ERR Protocol version is not an integer or out of range");
            }
            if (version != 2) {
                throw new KvException("NOPROTO unsupported protocol version");
            }
        }
        String name = null;
        for (int j = next; j < r.argc; j++) {
            int more = r.argc - 1 - j;
            if (r.is(j, "AUTH") && more >= 2) {
                checkUser(r, j + 1);
                j += 2;
            } else if (r.is(j, "SETNAME") && more >= 1) {
                name = r.text(j + 1);
                j++;
            } else {
                throw new KvException("ERR Syntax error in HELLO option '" + r.text(j) + "'");
            }
        }
        if (name != null) {
            setName(r, name);
        }
        Resp.arrayHeader(r.out, 14);
        Resp.bulk(r.out, "server");
        Resp.bulk(r.out, "redis");
        Resp.bulk(r.out, "version");
        Resp.bulk(r.out, REDIS_VERSION);
        Resp.bulk(r.out, "proto");
        Resp.integer(r.out, 2);
        Resp.bulk(r.out, "id");
        Resp.integer(r.out, r.client.id());
        Resp.bulk(r.out, "mode");
        Resp.bulk(r.out, "standalone");
        Resp.bulk(r.out, "role");
        Resp.bulk(r.out, "master");
        Resp.bulk(r.out, "modules");
        Resp.arrayHeader(r.out, 0);
    }

    private static void client(Request r) throws IOException {
        if (r.is(1, "ID")) {
            subArity(r, 2, "id");
            Resp.integer(r.out, r.client.id());
        } else if (r.is(1, "SETNAME")) {
            subArity(r, 3, "setname");
            setName(r, r.text(2));
            Resp.ok(r.out);
        } else if (r.is(1, "GETNAME")) {
            subArity(r, 2, "getname");
            String name = r.client.name();
            Resp.bulk(r.out, name == null ? null : name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        } else if (r.is(1, "SETINFO")) {
            subArity(r, 4, "setinfo");
            String value = r.text(3);
            if (r.is(2, "LIB-NAME")) {
                checkAttribute("lib-name", value);
                r.client.libName(value);
            } else if (r.is(2, "LIB-VER")) {
                checkAttribute("lib-ver", value);
                r.client.libVersion(value);
            } else {
                throw new KvException("ERR Unrecognized option '" + r.text(2) + "'");
            }
            Resp.ok(r.out);
        } else if (r.is(1, "INFO")) {
            subArity(r, 2, "info");
            Resp.bulk(r.out, describe(r.client) + "\n");
        } else {
            throw CommandExecutor.unknownSubcommand(r, "CLIENT");
        }
    }

    private static String describe(ClientState c) {
        return "id=" + c.id() + " name=" + (c.name() == null ? "" : c.name()) + " db=0 resp=2"
                + " lib-name=" + (c.libName() == null ? "" : c.libName())
                + " lib-ver=" + (c.libVersion() == null ? "" : c.libVersion());
    }

    private static void setName(Request r, String name) throws IOException {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < '!' || ch > '~') {
                throw new KvException("ERR Client names cannot contain spaces, newlines or special characters.");
            }
        }
        r.client.name(name.isEmpty() ? null : name);
    }

    private static void checkAttribute(String attribute, String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch < '!' || ch > '~') {
                throw new KvException("ERR " + attribute + " cannot contain spaces, newlines or special characters.");
            }
        }
    }

    static void subArity(Request r, int arity, String sub) {
        String container = r.text(0).toLowerCase(java.util.Locale.ROOT);
        if (arity > 0 ? r.argc != arity : r.argc < -arity) {
            throw CommandExecutor.arityError(container + "|" + sub);
        }
    }
}
