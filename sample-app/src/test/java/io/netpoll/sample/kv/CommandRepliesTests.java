package io.netpoll.sample.kv;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.netpoll.sample.kv.KvHarness.bulk;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact reply bytes of every command, as Redis 7.0.15 sends them (each expected string was
 * checked against a real redis-server).
 */
class CommandRepliesTests {

    private final KvHarness kv = new KvHarness();

    @AfterEach
    void close() {
        kv.close();
    }

    @Test
    void pingAndEcho() {
        assertThat(kv.cmd("PING")).isEqualTo("+PONG\r\n");
        assertThat(kv.cmd("ping", "hello")).isEqualTo(bulk("hello"));
        assertThat(kv.cmd("PING", "a", "b")).isEqualTo("-ERR wrong number of arguments for 'ping' command\r\n");
        assertThat(kv.cmd("ECHO", "x y")).isEqualTo(bulk("x y"));
        assertThat(kv.cmd("ECHO", "")).isEqualTo("$0\r\n\r\n");
        assertThat(kv.cmd("ECHO")).isEqualTo("-ERR wrong number of arguments for 'echo' command\r\n");
    }

    @Test
    void setAndGet() {
        assertThat(kv.cmd("GET", "k")).isEqualTo("$-1\r\n");
        assertThat(kv.cmd("SET", "k", "v")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("GET", "k")).isEqualTo(bulk("v"));
        assertThat(kv.cmd("set", "k", "")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("get", "k")).isEqualTo("$0\r\n\r\n");
        assertThat(kv.cmd("SET")).isEqualTo("-ERR wrong number of arguments for 'set' command\r\n");
        assertThat(kv.cmd("SET", "k")).isEqualTo("-ERR wrong number of arguments for 'set' command\r\n");
        assertThat(kv.cmd("GET", "a", "b")).isEqualTo("-ERR wrong number of arguments for 'get' command\r\n");
    }

    @Test
    void setOptions() {
        assertThat(kv.cmd("SET", "k", "1", "NX")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("SET", "k", "2", "NX")).isEqualTo("$-1\r\n");
        assertThat(kv.cmd("SET", "k", "3", "XX")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("SET", "other", "3", "xx")).isEqualTo("$-1\r\n");
        assertThat(kv.cmd("GET", "k")).isEqualTo(bulk("3"));
        assertThat(kv.cmd("SET", "k", "4", "GET")).isEqualTo(bulk("3"));
        assertThat(kv.cmd("SET", "k", "5", "NX", "GET")).isEqualTo(bulk("4"));
        assertThat(kv.cmd("SET", "new", "5", "GET")).isEqualTo("$-1\r\n");
        assertThat(kv.cmd("SET", "k", "v", "NX", "XX")).isEqualTo("-ERR syntax error\r\n");
        assertThat(kv.cmd("SET", "k", "v", "EX", "10", "PX", "10")).isEqualTo("-ERR syntax error\r\n");
        assertThat(kv.cmd("SET", "k", "v", "KEEPTTL", "EX", "10")).isEqualTo("-ERR syntax error\r\n");
        assertThat(kv.cmd("SET", "k", "v", "EX")).isEqualTo("-ERR syntax error\r\n");
        assertThat(kv.cmd("SET", "k", "v", "FOO")).isEqualTo("-ERR syntax error\r\n");
        assertThat(kv.cmd("SET", "k", "v", "EX", "0")).isEqualTo("-ERR invalid expire time in 'set' command\r\n");
        assertThat(kv.cmd("SET", "k", "v", "PX", "-5")).isEqualTo("-ERR invalid expire time in 'set' command\r\n");
        assertThat(kv.cmd("SET", "k", "v", "EX", "abc")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(kv.cmd("SET", "k", "v", "EX", "9223372036854775807"))
                .isEqualTo("-ERR invalid expire time in 'set' command\r\n");
        assertThat(kv.cmd("SET", "k", "v", "PX", "9223372036854775807"))
                .isEqualTo("-ERR invalid expire time in 'set' command\r\n");
        assertThat(kv.cmd("GET", "k")).isEqualTo(bulk("4"));
    }

    @Test
    void setExpiryOptions() {
        assertThat(kv.cmd("SET", "k", "v", "EX", "10")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("PTTL", "k")).isEqualTo(":10000\r\n");
        assertThat(kv.cmd("SET", "k", "v", "px", "1500", "px", "2500")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("PTTL", "k")).isEqualTo(":2500\r\n");
        assertThat(kv.cmd("SET", "k", "w", "KEEPTTL")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("PTTL", "k")).isEqualTo(":2500\r\n");
        assertThat(kv.cmd("SET", "k", "w")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("TTL", "k")).isEqualTo(":-1\r\n");
        assertThat(kv.cmd("SET", "k", "v", "EXAT", Long.toString(KvHarness.T0 / 1000 + 7)))
                .isEqualTo("+OK\r\n");
        assertThat(kv.cmd("TTL", "k")).isEqualTo(":7\r\n");
        assertThat(kv.cmd("SET", "k", "v", "PXAT", Long.toString(KvHarness.T0 + 1234)))
                .isEqualTo("+OK\r\n");
        assertThat(kv.cmd("PTTL", "k")).isEqualTo(":1234\r\n");
        kv.advance(1234);
        assertThat(kv.cmd("GET", "k")).isEqualTo("$-1\r\n");
    }

    @Test
    void delAndExists() {
        kv.cmd("MSET", "a", "1", "b", "2");
        assertThat(kv.cmd("EXISTS", "a", "a", "b", "c")).isEqualTo(":3\r\n");
        assertThat(kv.cmd("DEL", "a", "c")).isEqualTo(":1\r\n");
        assertThat(kv.cmd("DEL", "a")).isEqualTo(":0\r\n");
        assertThat(kv.cmd("EXISTS", "a")).isEqualTo(":0\r\n");
        assertThat(kv.cmd("DEL")).isEqualTo("-ERR wrong number of arguments for 'del' command\r\n");
        assertThat(kv.cmd("EXISTS")).isEqualTo("-ERR wrong number of arguments for 'exists' command\r\n");
        assertThat(kv.cmd("TYPE", "b")).isEqualTo("+string\r\n");
        assertThat(kv.cmd("TYPE", "a")).isEqualTo("+none\r\n");
    }

    @Test
    void counters() {
        assertThat(kv.cmd("INCR", "n")).isEqualTo(":1\r\n");
        assertThat(kv.cmd("INCRBY", "n", "41")).isEqualTo(":42\r\n");
        assertThat(kv.cmd("DECR", "n")).isEqualTo(":41\r\n");
        assertThat(kv.cmd("DECRBY", "n", "100")).isEqualTo(":-59\r\n");
        assertThat(kv.cmd("INCRBY", "n", "-1")).isEqualTo(":-60\r\n");
        assertThat(kv.cmd("GET", "n")).isEqualTo(bulk("-60"));
        assertThat(kv.cmd("DECR", "fresh")).isEqualTo(":-1\r\n");
        assertThat(kv.cmd("INCRBY", "n", "x")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(kv.cmd("INCRBY", "n", "01")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(kv.cmd("INCRBY", "n", "+1")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(kv.cmd("INCRBY", "n", "9223372036854775808"))
                .isEqualTo("-ERR value is not an integer or out of range\r\n");
        kv.cmd("SET", "s", "abc");
        assertThat(kv.cmd("INCR", "s")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        kv.cmd("SET", "s", " 1");
        assertThat(kv.cmd("INCR", "s")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        kv.cmd("SET", "max", "9223372036854775807");
        assertThat(kv.cmd("INCR", "max")).isEqualTo("-ERR increment or decrement would overflow\r\n");
        assertThat(kv.cmd("DECRBY", "max", "-9223372036854775808")).isEqualTo("-ERR decrement would overflow\r\n");
        assertThat(kv.cmd("DECRBY", "max", "1")).isEqualTo(":9223372036854775806\r\n");
        kv.cmd("SET", "min", "-9223372036854775808");
        assertThat(kv.cmd("DECR", "min")).isEqualTo("-ERR increment or decrement would overflow\r\n");
        assertThat(kv.cmd("INCRBY", "min", "9223372036854775807")).isEqualTo(":-1\r\n");
        assertThat(kv.cmd("INCR")).isEqualTo("-ERR wrong number of arguments for 'incr' command\r\n");
        assertThat(kv.cmd("INCRBY", "n")).isEqualTo("-ERR wrong number of arguments for 'incrby' command\r\n");
    }

    @Test
    void incrementKeepsTheExpiry() {
        kv.cmd("SET", "n", "1", "EX", "100");
        assertThat(kv.cmd("INCR", "n")).isEqualTo(":2\r\n");
        assertThat(kv.cmd("TTL", "n")).isEqualTo(":100\r\n");
        assertThat(kv.cmd("APPEND", "n", "0")).isEqualTo(":2\r\n");
        assertThat(kv.cmd("TTL", "n")).isEqualTo(":100\r\n");
        assertThat(kv.cmd("GET", "n")).isEqualTo(bulk("20"));
    }

    @Test
    void mgetAndMset() {
        assertThat(kv.cmd("MSET", "a", "1", "b", "")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("MGET", "a", "nope", "b")).isEqualTo("*3\r\n$1\r\n1\r\n$-1\r\n$0\r\n\r\n");
        assertThat(kv.cmd("MSET", "a")).isEqualTo("-ERR wrong number of arguments for 'mset' command\r\n");
        assertThat(kv.cmd("MSET", "a", "b", "c")).isEqualTo("-ERR wrong number of arguments for 'mset' command\r\n");
        assertThat(kv.cmd("MGET")).isEqualTo("-ERR wrong number of arguments for 'mget' command\r\n");
    }

    @Test
    void appendAndStrlen() {
        assertThat(kv.cmd("STRLEN", "s")).isEqualTo(":0\r\n");
        assertThat(kv.cmd("APPEND", "s", "Hello")).isEqualTo(":5\r\n");
        assertThat(kv.cmd("APPEND", "s", " World")).isEqualTo(":11\r\n");
        assertThat(kv.cmd("APPEND", "s", "")).isEqualTo(":11\r\n");
        assertThat(kv.cmd("GET", "s")).isEqualTo(bulk("Hello World"));
        assertThat(kv.cmd("STRLEN", "s")).isEqualTo(":11\r\n");
        assertThat(kv.cmd("APPEND")).isEqualTo("-ERR wrong number of arguments for 'append' command\r\n");
    }

    @Test
    void appendBeyondTheBulkLimit() {
        try (KvHarness small = new KvHarness(new RespLimits(8, 16, 64, 1024))) {
            assertThat(small.cmd("APPEND", "s", "12345")).isEqualTo(":5\r\n");
            assertThat(small.cmd("APPEND", "s", "6789"))
                    .isEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
            assertThat(small.cmd("GET", "s")).isEqualTo(bulk("12345"));
        }
    }

    @Test
    void expireTtlPersist() {
        assertThat(kv.cmd("EXPIRE", "k", "10")).isEqualTo(":0\r\n");
        assertThat(kv.cmd("TTL", "k")).isEqualTo(":-2\r\n");
        assertThat(kv.cmd("PTTL", "k")).isEqualTo(":-2\r\n");
        kv.cmd("SET", "k", "v");
        assertThat(kv.cmd("TTL", "k")).isEqualTo(":-1\r\n");
        assertThat(kv.cmd("PTTL", "k")).isEqualTo(":-1\r\n");
        assertThat(kv.cmd("PERSIST", "k")).isEqualTo(":0\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "10")).isEqualTo(":1\r\n");
        kv.advance(1499);
        assertThat(kv.cmd("TTL", "k")).isEqualTo(":9\r\n"); // (8501 + 500) / 1000, rounded as Redis does
        assertThat(kv.cmd("PTTL", "k")).isEqualTo(":8501\r\n");
        assertThat(kv.cmd("PEXPIRE", "k", "2000")).isEqualTo(":1\r\n");
        assertThat(kv.cmd("PTTL", "k")).isEqualTo(":2000\r\n");
        assertThat(kv.cmd("PERSIST", "k")).isEqualTo(":1\r\n");
        assertThat(kv.cmd("TTL", "k")).isEqualTo(":-1\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "0")).isEqualTo(":1\r\n");
        assertThat(kv.cmd("EXISTS", "k")).isEqualTo(":0\r\n");
        kv.cmd("SET", "k", "v");
        assertThat(kv.cmd("PEXPIRE", "k", "-1")).isEqualTo(":1\r\n");
        assertThat(kv.cmd("GET", "k")).isEqualTo("$-1\r\n");
    }

    @Test
    void expireFlagsAndErrors() {
        kv.cmd("SET", "k", "v");
        assertThat(kv.cmd("EXPIRE", "k", "abc")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "10", "NX", "XX"))
                .isEqualTo("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "10", "GT", "LT"))
                .isEqualTo("-ERR GT and LT options at the same time are not compatible\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "10", "FOO")).isEqualTo("-ERR Unsupported option FOO\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "9223372036854775807"))
                .isEqualTo("-ERR invalid expire time in 'expire' command\r\n");
        assertThat(kv.cmd("PEXPIRE", "k", "9223372036854775807"))
                .isEqualTo("-ERR invalid expire time in 'pexpire' command\r\n");
        assertThat(kv.cmd("EXPIRE", "k")).isEqualTo("-ERR wrong number of arguments for 'expire' command\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "10", "XX")).isEqualTo(":0\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "10", "GT")).isEqualTo(":0\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "10", "LT")).isEqualTo(":1\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "20", "NX")).isEqualTo(":0\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "20", "LT")).isEqualTo(":0\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "20", "GT")).isEqualTo(":1\r\n");
        assertThat(kv.cmd("EXPIRE", "k", "30", "XX")).isEqualTo(":1\r\n");
        assertThat(kv.cmd("TTL", "k")).isEqualTo(":30\r\n");
        assertThat(kv.cmd("EXPIREAT", "k", Long.toString(KvHarness.T0 / 1000 + 5)))
                .isEqualTo(":1\r\n");
        assertThat(kv.cmd("TTL", "k")).isEqualTo(":5\r\n");
        assertThat(kv.cmd("PEXPIREAT", "k", Long.toString(KvHarness.T0 + 5))).isEqualTo(":1\r\n");
        assertThat(kv.cmd("PTTL", "k")).isEqualTo(":5\r\n");
    }

    @Test
    void expiredKeysAreGoneAndReclaimed() {
        kv.cmd("SET", "a", "1", "PX", "100");
        kv.cmd("SET", "b", "2", "PX", "200");
        kv.cmd("SET", "c", "3");
        assertThat(kv.cmd("DBSIZE")).isEqualTo(":3\r\n");
        kv.advance(100);
        assertThat(kv.cmd("GET", "a")).isEqualTo("$-1\r\n");
        assertThat(kv.cmd("EXISTS", "a", "b")).isEqualTo(":1\r\n");
        assertThat(kv.cmd("DBSIZE")).isEqualTo(":2\r\n");
        kv.advance(100);
        assertThat(kv.cmd("PING")).isEqualTo("+PONG\r\n"); // reclaims "b" without touching it
        assertThat(kv.store.expiringKeys()).isZero();
        assertThat(kv.cmd("DBSIZE")).isEqualTo(":1\r\n");
        assertThat(kv.cmd("DEL", "a", "b", "c")).isEqualTo(":1\r\n");
    }

    @Test
    void dbsizeAndFlush() {
        assertThat(kv.cmd("DBSIZE")).isEqualTo(":0\r\n");
        kv.cmd("MSET", "a", "1", "b", "2");
        assertThat(kv.cmd("DBSIZE")).isEqualTo(":2\r\n");
        assertThat(kv.cmd("FLUSHDB")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("DBSIZE")).isEqualTo(":0\r\n");
        kv.cmd("SET", "a", "1", "EX", "5");
        assertThat(kv.cmd("FLUSHALL", "ASYNC")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("FLUSHDB", "sync")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("FLUSHDB", "FOO")).isEqualTo("-ERR syntax error\r\n");
        assertThat(kv.cmd("DBSIZE", "x")).isEqualTo("-ERR wrong number of arguments for 'dbsize' command\r\n");
        assertThat(kv.store.expiringKeys()).isZero();
    }

    @Test
    void quitRepliesThenCloses() {
        assertThat(kv.send(concat(KvHarness.encode("QUIT"), KvHarness.encode("PING"))))
                .isEqualTo("+OK\r\n");
        assertThat(kv.open).isFalse();
    }

    @Test
    void unknownCommands() {
        assertThat(kv.cmd("foo", "a", "b"))
                .isEqualTo("-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
        assertThat(kv.cmd("FOO")).isEqualTo("-ERR unknown command 'FOO', with args beginning with: \r\n");
        assertThat(kv.cmd("foo", "a\r\nb"))
                .isEqualTo("-ERR unknown command 'foo', with args beginning with: 'a  b' \r\n");
        String longArg = "x".repeat(300);
        assertThat(kv.cmd("foo", longArg, "y"))
                .isEqualTo("-ERR unknown command 'foo', with args beginning with: '" + "x".repeat(128) + "' \r\n");
        assertThat(kv.cmd("foo", "x".repeat(100), "y".repeat(100), "z"))
                .isEqualTo("-ERR unknown command 'foo', with args beginning with: '" + "x".repeat(100) + "' '"
                        + "y".repeat(25) + "' \r\n");
        assertThat(kv.open).isTrue();
    }

    @Test
    void connectionHandshakes() {
        assertThat(kv.cmd("HELLO", "3")).isEqualTo("-NOPROTO unsupported protocol version\r\n");
        assertThat(kv.cmd("HELLO", "4")).isEqualTo("-NOPROTO unsupported protocol version\r\n");
        assertThat(kv.cmd("HELLO", "abc")).isEqualTo("-ERR Protocol version is not an integer or out of range\r\n");
        assertThat(kv.cmd("HELLO", "2", "FOO")).isEqualTo("-ERR Syntax error in HELLO option 'FOO'\r\n");
        long id = kv.session.client().id();
        String hello = "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n"
                + "$2\r\nid\r\n:" + id + "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                + "$7\r\nmodules\r\n*0\r\n";
        assertThat(kv.cmd("HELLO")).isEqualTo(hello);
        assertThat(kv.cmd("HELLO", "2", "AUTH", "default", "pw", "SETNAME", "me"))
                .isEqualTo(hello);
        assertThat(kv.cmd("CLIENT", "GETNAME")).isEqualTo(bulk("me"));
        assertThat(kv.cmd("CLIENT", "SETNAME", "a b"))
                .isEqualTo("-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
        assertThat(kv.cmd("CLIENT", "SETNAME", "cli")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("CLIENT", "GETNAME")).isEqualTo(bulk("cli"));
        assertThat(kv.cmd("CLIENT", "SETNAME", "")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("CLIENT", "GETNAME")).isEqualTo("$-1\r\n");
        assertThat(kv.cmd("CLIENT", "ID")).isEqualTo(":" + id + "\r\n");
        assertThat(kv.cmd("CLIENT", "SETINFO", "LIB-NAME", "jedis")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("CLIENT", "SETINFO", "lib-ver", "7.0.0")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("CLIENT", "SETINFO", "foo", "x")).isEqualTo("-ERR Unrecognized option 'foo'\r\n");
        assertThat(kv.cmd("CLIENT", "SETINFO", "lib-name"))
                .isEqualTo("-ERR wrong number of arguments for 'client|setinfo' command\r\n");
        assertThat(kv.cmd("CLIENT", "FOO")).isEqualTo("-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
        assertThat(kv.cmd("CLIENT")).isEqualTo("-ERR wrong number of arguments for 'client' command\r\n");
        assertThat(kv.cmd("SELECT", "0")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("SELECT", "1")).isEqualTo("-ERR DB index is out of range\r\n");
        assertThat(kv.cmd("SELECT", "abc")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(kv.cmd("AUTH", "x"))
                .isEqualTo("-ERR AUTH <password> called without any password configured for "
                        + "the default user. Are you sure your configuration is correct?\r\n");
        assertThat(kv.cmd("AUTH", "default", "x")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("AUTH", "bob", "x"))
                .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    }

    @Test
    void configAndCommand() {
        assertThat(kv.cmd("CONFIG", "GET", "save", "appendonly"))
                .isEqualTo("*4\r\n$4\r\nsave\r\n$0\r\n\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
        assertThat(kv.cmd("CONFIG", "GET", "nosuch")).isEqualTo("*0\r\n");
        assertThat(kv.cmd("CONFIG", "GET", "MAXMEMORY*"))
                .isEqualTo("*4\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n");
        assertThat(kv.cmd("CONFIG", "GET")).isEqualTo("-ERR wrong number of arguments for 'config|get' command\r\n");
        assertThat(kv.cmd("CONFIG")).isEqualTo("-ERR wrong number of arguments for 'config' command\r\n");
        assertThat(kv.cmd("CONFIG", "FOO")).isEqualTo("-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n");
        assertThat(kv.cmd("COMMAND", "FOO")).isEqualTo("-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
        int count = kv.executor.table().all().size();
        assertThat(kv.cmd("COMMAND", "COUNT")).isEqualTo(":" + count + "\r\n");
        assertThat(kv.cmd("COMMAND", "DOCS")).isEqualTo("*0\r\n");
        assertThat(kv.cmd("COMMAND", "LIST", "FILTERBY", "PATTERN", "g?t")).isEqualTo("*1\r\n$3\r\nget\r\n");
        assertThat(kv.cmd("COMMAND", "INFO", "get", "nosuch"))
                .isEqualTo("*2\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
                        + "*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*0\r\n*0\r\n$-1\r\n");
        assertThat(kv.cmd("COMMAND")).startsWith("*" + count + "\r\n*10\r\n");
        assertThat(kv.cmd("INFO")).contains("redis_version:7.0.15\r\n");
    }

    @Test
    void binaryKeysAndValues() {
        byte[] key = {0, '\r', '\n', (byte) 0xff, '$'};
        byte[] value = {'\r', '\n', 0, '*', '1', '\r', '\n', (byte) 0x80};
        assertThat(kv.send(KvHarness.encode("SET".getBytes(), key, value))).isEqualTo("+OK\r\n");
        assertThat(kv.send(KvHarness.encode("GET".getBytes(), key)))
                .isEqualTo("$8\r\n" + new String(value, java.nio.charset.StandardCharsets.ISO_8859_1) + "\r\n");
        assertThat(kv.send(KvHarness.encode("STRLEN".getBytes(), key))).isEqualTo(":8\r\n");
        assertThat(kv.send(KvHarness.encode("GET".getBytes(), new byte[] {0, '\r', '\n', (byte) 0xff})))
                .isEqualTo("$-1\r\n");
    }

    @Test
    void largeValues() {
        byte[] big = new byte[512 * 1024];
        new java.util.Random(42).nextBytes(big);
        assertThat(kv.send(KvHarness.encode("SET".getBytes(), "big".getBytes(), big)))
                .isEqualTo("+OK\r\n");
        String reply = kv.cmd("GET", "big");
        assertThat(reply).startsWith("$524288\r\n").endsWith("\r\n").hasSize(524288 + 11);
        assertThat(reply.substring(9, 9 + big.length).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))
                .isEqualTo(big);
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }
}
