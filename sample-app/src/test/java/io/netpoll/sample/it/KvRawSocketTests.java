package io.netpoll.sample.it;

import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The kv server over plain sockets: exact reply bytes, inline commands, partial writes, bad input. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"netpoll.servers.echo.port=0", "netpoll.servers.kv.port=0", "netpoll.servers.proxy.port=0"})
class KvRawSocketTests {

    @Autowired
    NetpollServers servers;

    private int kv() {
        return SampleServers.port(servers, "kv");
    }

    private static String cmd(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$')
                    .append(a.getBytes(StandardCharsets.ISO_8859_1).length)
                    .append("\r\n")
                    .append(a)
                    .append("\r\n");
        }
        return b.toString();
    }

    @Test
    void exactReplies() throws Exception {
        try (RawClient c = new RawClient(kv())) {
            String requests = cmd("DEL", "raw:k", "raw:n")
                    + cmd("PING")
                    + cmd("SET", "raw:k", "v", "NX")
                    + cmd("GET", "raw:k")
                    + cmd("GET", "raw:none")
                    + cmd("INCR", "raw:n")
                    + cmd("MGET", "raw:k", "raw:none")
                    + cmd("EXPIRE", "raw:k", "100")
                    + cmd("TTL", "raw:k")
                    + cmd("GET")
                    + cmd("nope", "x")
                    + cmd("HELLO", "3")
                    + cmd("CONFIG", "GET", "appendonly");
            String expected = ":0\r\n+PONG\r\n+OK\r\n$1\r\nv\r\n$-1\r\n:1\r\n*2\r\n$1\r\nv\r\n$-1\r\n:1\r\n:100\r\n"
                    + "-ERR wrong number of arguments for 'get' command\r\n"
                    + "-ERR unknown command 'nope', with args beginning with: 'x' \r\n"
                    + "-NOPROTO unsupported protocol version\r\n"
                    + "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n";
            assertThat(c.send(requests).readLike(expected)).isEqualTo(expected);
        }
    }

    @Test
    void inlineCommands() throws Exception {
        try (RawClient c = new RawClient(kv())) {
            String expected = "+PONG\r\n+OK\r\n$5\r\na b\"c\r\n";
            assertThat(c.send("PING\r\nset raw:inline \"a b\\\"c\"\nget raw:inline\r\n")
                            .readLike(expected))
                    .isEqualTo(expected);
        }
    }

    @Test
    void splitAtEveryByteBoundary() throws Exception {
        byte[] request = (cmd("SET", "raw:split", "x\r\ny") + cmd("GET", "raw:split") + "PING\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        String expected = "+OK\r\n$4\r\nx\r\ny\r\n+PONG\r\n";
        for (int split = 1; split < request.length; split++) {
            try (RawClient c = new RawClient(kv())) {
                c.send(Arrays.copyOfRange(request, 0, split));
                c.send(Arrays.copyOfRange(request, split, request.length));
                assertThat(c.readLike(expected)).as("split at %d", split).isEqualTo(expected);
            }
        }
    }

    @Test
    void byteByByte() throws Exception {
        byte[] request = (cmd("ECHO", "one byte at a time") + "PING\n").getBytes(StandardCharsets.ISO_8859_1);
        try (RawClient c = new RawClient(kv())) {
            for (byte b : request) {
                c.send(new byte[] {b});
            }
            String expected = "$18\r\none byte at a time\r\n+PONG\r\n";
            assertThat(c.readLike(expected)).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "*abc\r\n",
                "*-\r\n",
                "*3000000000\r\n",
                "*1\r\n$-1\r\n",
                "*1\r\n$abc\r\n",
                "*1\r\n$536870913\r\n",
                "*1\r\n$99999999999999999999\r\n",
                "*1\r\n#4\r\nPING\r\n",
                "*1\r\n$4\r\nPINGxx",
                "ping \"unbalanced\r\n",
            })
    void malformedInputGetsAnErrorAndIsClosedWhileOthersAreServed(String garbage) throws Exception {
        try (RawClient bad = new RawClient(kv())) {
            String reply = bad.send("PING\r\n" + garbage + "PING\r\n").readToEnd();
            assertThat(reply).startsWith("+PONG\r\n-ERR Protocol error: ").endsWith("\r\n");
            assertThat(reply.split("\r\n")).hasSize(2);
        }
        try (RawClient fresh = new RawClient(kv())) {
            assertThat(fresh.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
        }
    }

    @Test
    void tooLongInlineAndHeaderLines() throws Exception {
        for (String junk : new String[] {"x", "*1", "*1\r\n$1"}) {
            try (RawClient bad = new RawClient(kv())) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(junk.getBytes(StandardCharsets.US_ASCII));
                b.writeBytes("1".repeat(70 * 1024).getBytes(StandardCharsets.US_ASCII));
                String reply = bad.send(b.toByteArray()).readToEnd();
                assertThat(reply).startsWith("-ERR Protocol error: too big ");
            }
        }
    }

    @Test
    void aHugeDeclaredBulkHoldsNothingAndBlocksNobody() throws Exception {
        try (RawClient slow = new RawClient(kv());
                RawClient other = new RawClient(kv())) {
            slow.send("*2\r\n$4\r\nECHO\r\n$536870912\r\nabc");
            assertThat(other.send(cmd("SET", "raw:other", "1") + cmd("GET", "raw:other"))
                            .read(12))
                    .isEqualTo("+OK\r\n$1\r\n1\r\n");
            // The slow client's connection is still open, waiting for its bulk.
            assertThat(slow.send("\r\n").send("PING\r\n")).isNotNull();
        }
    }

    @Test
    void quitClosesAfterTheReply() throws Exception {
        try (RawClient c = new RawClient(kv())) {
            assertThat(c.send(cmd("QUIT") + cmd("PING")).readToEnd()).isEqualTo("+OK\r\n");
        }
    }

    @Test
    void echoServerEchoesEverything() throws Exception {
        byte[] data = new byte[1 << 20];
        new java.util.Random(3).nextBytes(data);
        try (RawClient c = new RawClient(SampleServers.port(servers, "echo"))) {
            Thread writer = new Thread(() -> {
                try {
                    c.send(data);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            String back = c.read(data.length);
            writer.join(10_000);
            assertThat(back.getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(data);
        }
    }
}
