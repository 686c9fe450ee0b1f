package io.netpoll.sample.kv;

import io.netpoll.sample.kv.KeyValueStore.Condition;
import io.netpoll.sample.kv.KeyValueStore.SetOutcome;

import java.io.IOException;

import static io.netpoll.sample.kv.Specs.spec;

/** The string commands: GET, SET, MGET, MSET, APPEND, STRLEN, INCR, INCRBY, DECR, DECRBY. */
final class StringCommands {

    private final KeyValueStore store;

    private StringCommands(KeyValueStore store) {
        this.store = store;
    }

    static void register(CommandTable table, KeyValueStore store) {
        StringCommands c = new StringCommands(store);
        table.add(spec("get", 2, "readonly fast", 1, 1, 1, "@read @string @fast", c::get));
        table.add(spec("set", -3, "write denyoom", 1, 1, 1, "@write @string @slow", c::set));
        table.add(spec("mget", -2, "readonly fast", 1, -1, 1, "@read @string @fast", c::mget));
        table.add(spec("mset", -3, "write denyoom", 1, -1, 2, "@write @string @slow", c::mset));
        table.add(spec("append", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast", c::append));
        table.add(spec("strlen", 2, "readonly fast", 1, 1, 1, "@read @string @fast", c::strlen));
        table.add(spec("incr", 2, "write denyoom fast", 1, 1, 1, "@write @string @fast", c::incr));
        table.add(spec("decr", 2, "write denyoom fast", 1, 1, 1, "@write @string @fast", c::decr));
        table.add(spec("incrby", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast", c::incrby));
        table.add(spec("decrby", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast", c::decrby));
    }

    private void get(Request r) throws IOException {
        Resp.bulk(r.out, store.get(r.lookupKey(1)));
    }

    private void set(Request r) throws IOException {
        if (r.argc == 3) {
            store.set(r.key(1), r.arg(2));
            Resp.ok(r.out);
            return;
        }
        // Redis's parseExtendedStringArgumentsOrReply: each expiry option excludes the others
        // (not itself: "EX 1 EX 2" takes the last), NX excludes XX, KEEPTTL excludes expiries.
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        String unit = null; // "EX", "PX", "EXAT", "PXAT"
        int expireArg = -1;
        for (int j = 3; j < r.argc; j++) {
            boolean hasNext = j < r.argc - 1;
            if (r.is(j, "NX") && !xx) {
                nx = true;
            } else if (r.is(j, "XX") && !nx) {
                xx = true;
            } else if (r.is(j, "GET")) {
                get = true;
            } else if (r.is(j, "KEEPTTL") && unit == null) {
                keepTtl = true;
            } else if (hasNext && !keepTtl && expiryOption(r, j, unit)) {
                unit = r.text(j).toUpperCase(java.util.Locale.ROOT);
                expireArg = ++j;
            } else {
                throw KvException.SYNTAX;
            }
        }
        long expireAt = Entry.NO_EXPIRY;
        if (unit != null) {
            long t = r.integer(expireArg);
            boolean seconds = unit.startsWith("EX");
            if (t <= 0 || (seconds && t > Long.MAX_VALUE / 1000)) {
                throw KvException.invalidExpire("set");
            }
            if (seconds) {
                t *= 1000;
            }
            if (unit.length() == 2) { // relative
                t += store.now();
            }
            if (t <= 0) {
                throw KvException.invalidExpire("set");
            }
            expireAt = t;
        }
        Condition condition = nx ? Condition.IF_ABSENT : xx ? Condition.IF_PRESENT : Condition.ALWAYS;
        SetOutcome outcome = store.set(r.key(1), r.arg(2), condition, expireAt, keepTtl);
        if (get) {
            Resp.bulk(r.out, outcome.previous());
        } else if (outcome.applied()) {
            Resp.ok(r.out);
        } else {
            Resp.raw(r.out, Resp.NULL_BULK);
        }
    }

    /** True if argument {@code j} is an expiry option allowed after {@code unit} (the one seen so far). */
    private static boolean expiryOption(Request r, int j, String unit) {
        for (String option : new String[] {"EX", "PX", "EXAT", "PXAT"}) {
            if (r.is(j, option)) {
                return unit == null || unit.equals(option);
            }
        }
        return false;
    }

    private void mget(Request r) throws IOException {
        Resp.arrayHeader(r.out, r.argc - 1);
        for (int i = 1; i < r.argc; i++) {
            Resp.bulk(r.out, store.get(r.lookupKey(i)));
        }
    }

    private void mset(Request r) throws IOException {
        if (r.argc % 2 == 0) {
            throw new KvException("ERR wrong number of arguments for 'mset' command");
        }
        for (int i = 1; i < r.argc; i += 2) {
            store.set(r.key(i), r.arg(i + 1));
        }
        Resp.ok(r.out);
    }

    private void append(Request r) throws IOException {
        Resp.integer(r.out, store.append(r.key(1), r.arg(2)));
    }

    private void strlen(Request r) throws IOException {
        byte[] v = store.get(r.lookupKey(1));
        Resp.integer(r.out, v == null ? 0 : v.length);
    }

    private void incr(Request r) throws IOException {
        Resp.integer(r.out, store.incrementBy(r.lookupKey(1), 1));
    }

    private void decr(Request r) throws IOException {
        Resp.integer(r.out, store.incrementBy(r.lookupKey(1), -1));
    }

    private void incrby(Request r) throws IOException {
        Resp.integer(r.out, store.incrementBy(r.lookupKey(1), r.integer(2)));
    }

    private void decrby(Request r) throws IOException {
        long by = r.integer(2);
        if (by == Long.MIN_VALUE) {
            throw new KvException("ERR decrement would overflow");
        }
        Resp.integer(r.out, store.incrementBy(r.lookupKey(1), -by));
    }
}
