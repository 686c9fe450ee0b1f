package io.netpoll.faults;

import io.netpoll.faults.Frames.Expected;
import io.netpoll.faults.Frames.Mode;
import io.netpoll.testing.PeerIo;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;

import static io.netpoll.testing.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A seeded fuzzer: random garbage and mutated frame streams, sent in random pieces, each on a
 * new connection that half-closes after its last byte. The replies must be exactly what the
 * protocol says (every complete frame echoed in order, up to the first oversized header, which
 * closes the connection and counts as a handler error), and after each case a fresh client is
 * served. A failure names its seed; rerun one case with {@code -Dfaults.fuzz.seed=<seed>}.
 */
class FrameFuzzFaultTests {
    @RegisterExtension
    final TestNet net = TestNet.faultScenario();

    private static final int CASES = 1000;
    private static final long FIXED_BASE_SEED = 20261126L;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void garbageAndMutatedFrames(Mode mode) throws Exception {
        Server server = net.startServer(mode.handler(), mode.options());
        Long only = Long.getLong("faults.fuzz.seed");
        long base = only != null ? only : FIXED_BASE_SEED; // fixed: every run checks the same cases
        int cases = only != null ? 1 : CASES;
        long protocolErrors = 0;
        // Each protocol error logs a WARNING with a stack trace: keep the report readable.
        java.util.logging.Logger connectionLog = java.util.logging.Logger.getLogger("io.netpoll.connection");
        java.util.logging.Level level = connectionLog.getLevel();
        connectionLog.setLevel(java.util.logging.Level.SEVERE);
        try {
            protocolErrors = runAll(server.port(), base, cases, mode);
        } finally {
            connectionLog.setLevel(level);
        }
        long errors = protocolErrors;
        await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> server.loop().stats().handlerErrors() == errors);
    }

    private static long runAll(int port, long base, int cases, Mode mode) {
        long protocolErrors = 0;
        for (int i = 0; i < cases; i++) {
            long seed = base + i;
            try {
                if (run(port, seed)) {
                    protocolErrors++;
                }
                assertThat(Frames.freshClientServed(port, (int) seed))
                        .as("fresh client served")
                        .isTrue();
            } catch (Throwable t) {
                fail(
                        "fuzz case failed with seed " + seed + " (" + mode + "; rerun: -Dfaults.fuzz.seed=" + seed
                                + ")",
                        t);
            }
        }
        return protocolErrors;
    }

    /** One case; true if its stream has a protocol error. */
    private static boolean run(int port, long seed) throws Exception {
        Random random = new Random(seed);
        byte[] stream = random.nextInt(4) == 0 ? garbage(random) : mutate(random, validStream(random));
        Expected expected = Frames.expect(stream);
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
            assertThat(end.bytes()).as("replies").isEqualTo(expected.replies());
            if (!expected.protocolError()) {
                // Only a server that closes with unread input resets; otherwise it is a clean EOF.
                assertThat(sentAll).as("the server took every byte").isTrue();
                assertThat(end.reset()).as("ended by a reset").isFalse();
            }
        }
        return expected.protocolError();
    }

    private static byte[] garbage(Random random) {
        byte[] b = new byte[1 + random.nextInt(random.nextBoolean() ? 16 : 3000)];
        random.nextBytes(b);
        return b;
    }

    private static byte[] validStream(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int frames = 1 + random.nextInt(6);
        for (int f = 0; f < frames; f++) {
            int len = switch (random.nextInt(5)) {
                case 0 -> 0;
                case 1 -> Frames.MAX_FRAME - random.nextInt(3);
                default -> random.nextInt(300);
            };
            out.writeBytes(Frames.frame(len, random));
        }
        return out.toByteArray();
    }

    private static byte[] mutate(Random random, byte[] in) {
        byte[] b = in.clone();
        int mutations = random.nextInt(4);
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(5)) {
                case 0 -> b[at] = (byte) random.nextInt(256);
                case 1 -> b = splice(b, at, random.nextInt(Math.min(8, b.length - at) + 1), new byte[0]);
                case 2 -> {
                    byte[] junk = new byte[1 + random.nextInt(8)];
                    random.nextBytes(junk);
                    b = splice(b, at, 0, junk);
                }
                case 3 -> b = Arrays.copyOf(b, at);
                default ->
                    b = splice(b, at, 0, new byte[] {(byte) 0xff, (byte) random.nextInt(256)}); // an oversized header
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(b, 0, at);
        o.writeBytes(insert);
        o.write(b, at + remove, b.length - at - remove);
        return o.toByteArray();
    }
}
