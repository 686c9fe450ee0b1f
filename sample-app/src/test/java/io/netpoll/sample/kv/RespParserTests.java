package io.netpoll.sample.kv;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.netpoll.sample.kv.CommandRepliesTests.concat;
import static io.netpoll.sample.kv.KvHarness.bulk;
import static io.netpoll.sample.kv.KvHarness.encode;
import static org.assertj.core.api.Assertions.assertThat;

/** Framing: inline commands, pipelines, partial input, binary data, malformed and hostile input. */
class RespParserTests {

    private final KvHarness kv = new KvHarness();

    @AfterEach
    void close() {
        kv.close();
    }

    @Test
    void inlineCommands() {
        assertThat(kv.send("PING\r\n")).isEqualTo("+PONG\r\n");
        assertThat(kv.send("PING\n")).isEqualTo("+PONG\r\n");
        assertThat(kv.send("\r\n\r\n\nPING\r\n")).isEqualTo("+PONG\r\n");
        assertThat(kv.send("  echo    x   \r\n")).isEqualTo(bulk("x"));
        assertThat(kv.send("set k \"a\\x41\\n\\\"\" \r\n")).isEqualTo("+OK\r\n");
        assertThat(kv.send("get k\r\n")).isEqualTo("$4\r\naA\n\"\r\n");
        assertThat(kv.send("echo 'it\\'s'\r\n")).isEqualTo(bulk("it's"));
        assertThat(kv.send("echo \"\"\r\n")).isEqualTo("$0\r\n\r\n");
        assertThat(kv.send("set\tx\t1\r\nincr x\r\nget x\r\n")).isEqualTo("+OK\r\n:2\r\n" + bulk("2"));
        assertThat(kv.open).isTrue();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "echo \"a\"b",
                "echo \"abc",
                "echo 'a'b",
                "echo 'abc",
            })
    void unbalancedQuotesCloseTheConnection(String line) {
        assertThat(kv.send("PING\r\n" + line + "\r\nPING\r\n"))
                .isEqualTo("+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n");
        assertThat(kv.open).isFalse();
    }

    @Test
    void emptyRequestsAreSkipped() {
        assertThat(kv.send("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n")).isEqualTo("+PONG\r\n");
        assertThat(kv.open).isTrue();
    }

    @Test
    void pipeline() {
        byte[] batch = concat(
                encode("SET", "a", "1"),
                encode("INCR", "a"),
                "GET a\r\n".getBytes(),
                encode("NOPE"),
                encode("MGET", "a", "b"));
        assertThat(kv.send(batch))
                .isEqualTo("+OK\r\n:2\r\n" + bulk("2")
                        + "-ERR unknown command 'NOPE', with args beginning with: \r\n*2\r\n$1\r\n2\r\n$-1\r\n");
    }

    @Test
    void longPipelineIsAnsweredInOrder() {
        StringBuilder expected = new StringBuilder();
        java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 10_000; i++) {
            batch.writeBytes(encode("INCR", "n"));
            expected.append(':').append(i + 1).append("\r\n");
        }
        assertThat(kv.send(batch.toByteArray())).isEqualTo(expected.toString());
    }

    /** Every prefix of a request gets nothing; the remaining bytes get the reply. */
    @Test
    void splitAtEveryByteBoundary() {
        byte[] big = new byte[300];
        Arrays.fill(big, (byte) '\r');
        byte[] request = concat(
                encode("SET".getBytes(), "key\r\n".getBytes(), big),
                encode("GET", "key\r\n"),
                "  echo   \"x y\"  \r\n".getBytes(),
                encode("PING"),
                "PING\n".getBytes());
        String all = "+OK\r\n$300\r\n" + "\r".repeat(300) + "\r\n" + bulk("x y") + "+PONG\r\n+PONG\r\n";
        for (int split = 0; split <= request.length; split++) {
            kv.reconnect();
            String first = kv.send(Arrays.copyOfRange(request, 0, split));
            String second = kv.send(Arrays.copyOfRange(request, split, request.length));
            assertThat(first + second).as("split at %d", split).isEqualTo(all);
            assertThat(all).startsWith(first);
        }
    }

    @Test
    void byteByByte() {
        byte[] request = concat(encode("MSET", "a", "1", "b", "22"), encode("MGET", "a", "b"), "PING x\r\n".getBytes());
        StringBuilder replies = new StringBuilder();
        for (byte b : request) {
            replies.append(kv.send(new byte[] {b}));
        }
        assertThat(replies.toString()).isEqualTo("+OK\r\n*2\r\n$1\r\n1\r\n$2\r\n22\r\n" + bulk("x"));
    }

    @Test
    void binaryAndEmptyArguments() {
        byte[] key = "k\0\r\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] value = "\r\n\0$3\r\n*1\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(kv.send(encode("SET".getBytes(), key, value))).isEqualTo("+OK\r\n");
        assertThat(kv.send(encode("GET".getBytes(), key)))
                .isEqualTo("$" + value.length + "\r\n" + new String(value, StandardCharsets.ISO_8859_1) + "\r\n");
        assertThat(kv.send(encode("SET".getBytes(), new byte[0], new byte[0]))).isEqualTo("+OK\r\n");
        assertThat(kv.send(encode("GET".getBytes(), new byte[0]))).isEqualTo("$0\r\n\r\n");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "*abc\\r\\n|Protocol error: invalid multibulk length",
                "*01\\r\\n|Protocol error: invalid multibulk length",
                "*+1\\r\\n|Protocol error: invalid multibulk length",
                "*1 \\r\\n|Protocol error: invalid multibulk length",
                "*\\r\\n|Protocol error: invalid multibulk length",
                "*1\\n|Protocol error: invalid multibulk length",
                "*3000000000\\r\\n|Protocol error: invalid multibulk length",
                "*99999999999999999999999\\r\\n|Protocol error: invalid multibulk length",
                "*1\\r\\n$-1\\r\\n|Protocol error: invalid bulk length",
                "*1\\r\\n$abc\\r\\n|Protocol error: invalid bulk length",
                "*1\\r\\n$04\\r\\nPING\\r\\n|Protocol error: invalid bulk length",
                "*1\\r\\n$536870913\\r\\n|Protocol error: invalid bulk length",
                "*1\\r\\n$9223372036854775807\\r\\n|Protocol error: invalid bulk length",
                "*1\\r\\n#4\\r\\nPING\\r\\n|Protocol error: expected '$', got '#'",
                "*2\\r\\n$4\\r\\nPING\\r\\n:1\\r\\n|Protocol error: expected '$', got ':'",
                "*1\\r\\n$4\\r\\nPINGxx|Protocol error: expected CRLF after bulk data",
            })
    void malformedInputGetsAnErrorAndACloseAfterEarlierCommandsRan(String input, String error) {
        String raw = input.replace("\\r", "\r").replace("\\n", "\n");
        assertThat(kv.send("SET before 1\r\n" + raw + "*1\r\n$4\r\nPING\r\n"))
                .isEqualTo("+OK\r\n-ERR " + error + "\r\n");
        assertThat(kv.open).isFalse();
        // The connection is gone, the server is not: a new client is served.
        kv.reconnect();
        assertThat(kv.cmd("GET", "before")).isEqualTo(bulk("1"));
    }

    @Test
    void hugeDeclaredLengthsAllocateNothing() {
        // Within the limits but never sent: the parser waits, holding only what arrived.
        assertThat(kv.send("*1048576\r\n$536870912\r\nabc")).isEmpty();
        assertThat(kv.open).isTrue();
        assertThat(kv.in.len()).isZero();
        assertThat(kv.send("*1048577\r\n")).isEmpty();
    }

    /** A large argument is taken as it arrives: the input buffer never holds it whole. */
    @Test
    void largeArgumentsAreConsumedAsTheyArrive() {
        byte[] value = new byte[300_000];
        new java.util.Random(5).nextBytes(value);
        assertThat(kv.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$300000\r\n")).isEmpty();
        for (int off = 0; off < value.length; off += 1000) {
            assertThat(kv.send(Arrays.copyOfRange(value, off, off + 1000))).isEmpty();
            assertThat(kv.in.len()).isZero();
        }
        assertThat(kv.send("\r")).isEmpty();
        assertThat(kv.send("\n")).isEqualTo("+OK\r\n");
        assertThat(kv.cmd("GET", "k").substring(9).getBytes(StandardCharsets.ISO_8859_1))
                .isEqualTo(concat(value, "\r\n".getBytes()));
        assertThat(kv.send(concat("*2\r\n$4\r\nECHO\r\n$5\r\nab".getBytes(), "cdeXY*1\r\n$4\r\nPING\r\n".getBytes())))
                .isEqualTo("-ERR Protocol error: expected CRLF after bulk data\r\n");
    }

    @Test
    void limits() {
        RespLimits limits = new RespLimits(16, 4, 32, 40);
        try (KvHarness small = new KvHarness(limits)) {
            assertThat(small.send("*4\r\n$16\r\n" + "x".repeat(16) + "\r\n")).isEmpty();
            assertThat(small.send("$3\r\nabc\r\n$1\r\nz\r\n$1\r\nz\r\n")).startsWith("-ERR unknown command");
            assertThat(small.open).isTrue();
            assertThat(small.reconnect().send("*5\r\n")).isEqualTo("-ERR Protocol error: invalid multibulk length\r\n");
            assertThat(small.reconnect().send("*1\r\n$17\r\n"))
                    .isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
            assertThat(small.reconnect()
                            .send("*4\r\n$16\r\n" + "x".repeat(16) + "\r\n$16\r\n" + "x".repeat(16) + "\r\n$16\r\n"))
                    .isEqualTo("-ERR Protocol error: query buffer limit exceeded\r\n");
            assertThat(small.reconnect().send("x".repeat(33))).isEmpty();
            assertThat(small.reconnect().send("x".repeat(34)))
                    .isEqualTo("-ERR Protocol error: too big inline request\r\n");
            assertThat(small.reconnect().send("x".repeat(33) + "\r\n"))
                    .isEqualTo("-ERR Protocol error: too big inline request\r\n");
            assertThat(small.reconnect().send("echo " + "x".repeat(27) + "\r\n"))
                    .isEqualTo(bulk("x".repeat(27)));
            assertThat(small.reconnect().send("*" + "1".repeat(33)))
                    .isEqualTo("-ERR Protocol error: too big mbulk count string\r\n");
            assertThat(small.reconnect().send("*1\r\n$" + "1".repeat(33)))
                    .isEqualTo("-ERR Protocol error: too big bulk count string\r\n");
            assertThat(small.open).isFalse();
        }
    }

    @Test
    void inputAfterAnErrorIsIgnored() {
        assertThat(kv.send("*x\r\n")).startsWith("-ERR Protocol error");
        assertThat(kv.send("PING\r\n")).isEmpty();
        assertThat(kv.open).isFalse();
    }
}
