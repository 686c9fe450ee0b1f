package io.netpoll.sample.faults;

import io.netpoll.NetStats;
import io.netpoll.sample.kv.RespLimits;
import io.netpoll.sample.kv.RespStreams;
import io.netpoll.testing.PeerIo;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A seeded fuzzer against the real kv server: random garbage and mutated RESP streams, sent in
 * random pieces on a new connection each, which half-closes after its last byte. The replies are
 * compared byte for byte with those of the same session code fed the whole stream without a
 * network (streams whose replies depend on time or client ids are only checked to be well-formed
 * RESP); after each case a fresh client is served. A failure names its seed; rerun one case with
 * {@code -Dfaults.fuzz.seed=<seed>}.
 */
class SampleRespFuzzFaultTests extends SampleFaultScenario {

    private static final int CASES = 2000;
    private static final long FIXED_BASE_SEED = 20261126L;

    /** Words in a stream that make the replies depend on the clock, the client or the server's state. */
    private static final String[] UNPREDICTABLE = {"TTL", "EX", "PX", "HELLO", "CLIENT", "INFO"};

    @Autowired
    RespLimits limits;

    @Test
    void garbageAndMutatedRequests() throws Exception {
        int port = port("kv");
        NetStats kv = server("kv").getEventLoop().stats();
        long errors = kv.handlerErrors();
        Long only = Long.getLong("faults.fuzz.seed");
        long base = only != null ? only : FIXED_BASE_SEED; // fixed: every run checks the same cases
        int cases = only != null ? 1 : CASES;
        freshClientServed(port); // and an empty store for the first case
        int compared = 0;
        for (int i = 0; i < cases; i++) {
            long seed = base + i;
            try {
                if (run(port, seed)) {
                    compared++;
                }
                freshClientServed(port);
            } catch (Throwable t) {
                fail("fuzz case failed with seed " + seed + " (rerun: -Dfaults.fuzz.seed=" + seed + ")", t);
            }
        }
        assertThat(kv.handlerErrors())
                .as("protocol errors are answered, not thrown")
                .isEqualTo(errors);
        if (only == null) {
            assertThat(compared).as("cases compared byte for byte").isGreaterThan(CASES / 4);
        }
    }

    /** One case; true if its replies were compared byte for byte. */
    private boolean run(int port, long seed) throws Exception {
        Random random = new Random(seed);
        byte[] stream;
        if (random.nextInt(4) == 0) {
            stream = new byte[1 + random.nextInt(random.nextBoolean() ? 16 : 3000)];
            random.nextBytes(stream);
        } else {
            stream = RespStreams.mutate(random, RespStreams.validStream(random));
        }
        String text = new String(stream, StandardCharsets.ISO_8859_1);
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            OutputStream out = s.getOutputStream();
            boolean sentAll = true;
            for (int pos = 0; pos < stream.length && sentAll; ) {
                int n = Math.min(stream.length - pos, 1 + random.nextInt(random.nextBoolean() ? 8 : 512));
                sentAll = PeerIo.writeQuietly(out, Arrays.copyOfRange(stream, pos, pos + n));
                pos += n;
            }
            if (sentAll) {
                s.shutdownOutput();
            }
            PeerIo.Ending end = PeerIo.readToEnd(s.getInputStream());
            String replies = Peers.text(end.bytes());
            RespStreams.assertWellFormed(replies);
            String upper = text.toUpperCase(Locale.ROOT);
            if (Arrays.stream(UNPREDICTABLE).anyMatch(upper::contains)) {
                return false;
            }
            RespStreams.Replies expected = RespStreams.expectedReplies(stream, limits);
            assertThat(replies).as("replies to %s", RespStreams.printable(text)).isEqualTo(expected.text());
            if (!expected.closed()) {
                // Only a server that closes with unread input resets; otherwise it is a clean EOF.
                assertThat(sentAll).as("the server took every byte").isTrue();
                assertThat(end.reset()).as("ended by a reset").isFalse();
            }
            return true;
        }
    }

    /** A fresh client is served correctly, and the store is empty again for the next case. */
    private static void freshClientServed(int port) throws Exception {
        byte[] request = concat(Peers.cmd("FLUSHDB"), Peers.cmd("PING"));
        assertThat(Peers.exchange(port, request, 12)).as("fresh client").isEqualTo("+OK\r\n+PONG\r\n");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
