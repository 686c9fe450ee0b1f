package io.netpoll.sample.kv;

import java.io.IOException;

import static io.netpoll.sample.kv.Specs.spec;

/** The keyspace commands: DEL, EXISTS, TYPE, EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, PERSIST. */
final class KeyCommands {

    private final KeyValueStore store;

    private KeyCommands(KeyValueStore store) {
        this.store = store;
    }

    static void register(CommandTable table, KeyValueStore store) {
        KeyCommands c = new KeyCommands(store);
        table.add(spec("del", -2, "write", 1, -1, 1, "@keyspace @write @slow", c::del));
        table.add(spec("exists", -2, "readonly fast", 1, -1, 1, "@keyspace @read @fast", c::exists));
        table.add(spec("type", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast", c::type));
        table.add(spec(
                "expire",
                -3,
                "write fast",
                1,
                1,
                1,
                "@keyspace @write @fast",
                r -> c.expire(r, "expire", true, false)));
        table.add(spec(
                "pexpire",
                -3,
                "write fast",
                1,
                1,
                1,
                "@keyspace @write @fast",
                r -> c.expire(r, "pexpire", false, false)));
        table.add(spec(
                "expireat",
                -3,
                "write fast",
                1,
                1,
                1,
                "@keyspace @write @fast",
                r -> c.expire(r, "expireat", true, true)));
        table.add(spec(
                "pexpireat",
                -3,
                "write fast",
                1,
                1,
                1,
                "@keyspace @write @fast",
                r -> c.expire(r, "pexpireat", false, true)));
        table.add(spec("ttl", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast", r -> c.ttl(r, false)));
        table.add(spec("pttl", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast", r -> c.ttl(r, true)));
        table.add(spec("persist", 2, "write fast", 1, 1, 1, "@keyspace @write @fast", c::persist));
    }

    private void del(Request r) throws IOException {
        long n = 0;
        for (int i = 1; i < r.argc; i++) {
            if (store.delete(r.key(i))) {
                n++;
            }
        }
        Resp.integer(r.out, n);
    }

    private void exists(Request r) throws IOException {
        long n = 0;
        for (int i = 1; i < r.argc; i++) {
            if (store.exists(r.lookupKey(i))) {
                n++;
            }
        }
        Resp.integer(r.out, n);
    }

    private void type(Request r) throws IOException {
        Resp.simple(r.out, store.exists(r.lookupKey(1)) ? "string" : "none");
    }

    /** Redis's expireGenericCommand: flags first, then the time, then overflow checks. */
    private void expire(Request r, String name, boolean seconds, boolean absolute) throws IOException {
        int flags = 0;
        for (int j = 3; j < r.argc; j++) {
            if (r.is(j, "NX")) {
                flags |= KeyValueStore.EXPIRE_NX;
            } else if (r.is(j, "XX")) {
                flags |= KeyValueStore.EXPIRE_XX;
            } else if (r.is(j, "GT")) {
                flags |= KeyValueStore.EXPIRE_GT;
            } else if (r.is(j, "LT")) {
                flags |= KeyValueStore.EXPIRE_LT;
            } else {
                throw new KvException("ERR Unsupported option " + r.text(j));
            }
        }
        if ((flags & KeyValueStore.EXPIRE_NX) != 0 && (flags & ~KeyValueStore.EXPIRE_NX) != 0) {
            throw new KvException("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if ((flags & KeyValueStore.EXPIRE_GT) != 0 && (flags & KeyValueStore.EXPIRE_LT) != 0) {
            throw new KvException("ERR GT and LT options at the same time are not compatible");
        }
        long when = r.integer(2);
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw KvException.invalidExpire(name);
            }
            when *= 1000;
        }
        long base = absolute ? 0 : store.now();
        if (when > Long.MAX_VALUE - base) {
            throw KvException.invalidExpire(name);
        }
        Resp.integer(r.out, store.expire(r.key(1), when + base, flags));
    }

    private void ttl(Request r, boolean millis) throws IOException {
        long ttl = store.pttl(r.lookupKey(1));
        Resp.integer(r.out, ttl < 0 || millis ? ttl : (ttl + 500) / 1000);
    }

    private void persist(Request r) throws IOException {
        Resp.integer(r.out, store.persist(r.key(1)) ? 1 : 0);
    }
}
