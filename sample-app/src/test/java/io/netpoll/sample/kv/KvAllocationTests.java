package io.netpoll.sample.kv;

import io.netpoll.buffer.LinkBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heap bytes the kv request path allocates per command in steady state: parsing, lookup,
 * execution and reply writing, driven through {@link RespSession} over {@link LinkBuffer}s as the
 * netpoll handler drives it. Measured with the thread's allocation counter over many commands
 * (no timing), after a warm-up that lets the JIT compile (and scalar-replace) the path, minus
 * what the same rounds allocate with a trivial session (the buffers' own share, not the server's).
 *
 * <p>A read (GET of an existing key, PING) must allocate nothing: the command name and the key
 * arrays are recycled by the parser, the lookup key is a per-connection probe, and replies are
 * encoded in place. A write allocates what it stores.
 */
class KvAllocationTests {

    private static final int WARMUP_ROUNDS = 30_000;
    private static final int MEASURED_ROUNDS = 20_000;

    /** Bytes per command allowed for noise (a TLAB refill, a rare resize) in "allocates nothing". */
    private static final double NOISE = 4.0;

    private final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @ParameterizedTest(name = "pipeline of {0}")
    @ValueSource(ints = {1, 16})
    void aGetOfAnExistingKeyAllocatesNothing(int pipeline) throws IOException {
        double perCommand = measure(pipeline, "SET", "key:000000000042", "xxx", "GET", "key:000000000042");
        report("GET", pipeline, perCommand);
        assertThat(perCommand).isLessThan(NOISE);
    }

    @ParameterizedTest(name = "pipeline of {0}")
    @ValueSource(ints = {1, 16})
    void aMultibulkPingAllocatesNothing(int pipeline) throws IOException {
        double perCommand = measure(pipeline, null, null, null, "PING");
        report("PING_MBULK", pipeline, perCommand);
        assertThat(perCommand).isLessThan(NOISE);
    }

    @ParameterizedTest(name = "pipeline of {0}")
    @ValueSource(ints = {1, 16})
    void anInlinePingAllocatesNothing(int pipeline) throws IOException {
        double perCommand = measureRaw(pipeline, null, "PING\r\n".getBytes(StandardCharsets.US_ASCII));
        report("PING_INLINE", pipeline, perCommand);
        assertThat(perCommand).isLessThan(NOISE);
    }

    /** A SET stores its value (and an entry): bounded by those, not by parsing or replying. */
    @ParameterizedTest(name = "pipeline of {0}")
    @ValueSource(ints = {1, 16})
    void aSetAllocatesOnlyWhatItStores(int pipeline) throws IOException {
        double perCommand = measure(pipeline, null, null, null, "SET", "key:000000000042", "xxx");
        report("SET", pipeline, perCommand);
        // What it stores, with compressed references: value byte[3] (24), Entry (40), key byte[16]
        // (32) and its ByteKey (24) = 120. The map keeps its node (and key) for an existing key.
        assertThat(perCommand).isLessThan(128);
    }

    /** An INCR stores a new value (byte[2], 24) and entry (40); the key is the map's own. */
    @Test
    void anIncrAllocatesOnlyWhatItStores() throws IOException {
        for (int pipeline : new int[] {1, 16}) {
            double perCommand = measure(pipeline, null, null, null, "INCR", "counter");
            report("INCR", pipeline, perCommand);
            assertThat(perCommand).isLessThan(72);
        }
    }

    /**
     * Argument arrays are reused after a command that kept none of them: a key or value stored by
     * an earlier command must never change when a later command of the same shape is parsed.
     */
    @Test
    void recycledArgumentsNeverChangeWhatWasStored() {
        try (KvHarness kv = new KvHarness()) {
            StringBuilder pipeline = new StringBuilder();
            String[][] commands = {
                {"INCR", "n1"}, {"GET", "n2"}, {"INCR", "n1"}, {"GET", "zz"},
                {"SET", "a1", "v1"}, {"GET", "a2"}, {"SET", "a3", "v3"}, {"GET", "a4"},
                {"EXISTS", "a5"}, {"STRLEN", "a6"}, {"MGET", "a1", "a3", "n1"}, {"GET", "n1"}
            };
            for (String[] c : commands) {
                pipeline.append(new String(KvHarness.encode(c), StandardCharsets.ISO_8859_1));
            }
            pipeline.append("GET a1\r\nGET a9\r\nGET a3\r\n"); // inline commands recycle too
            assertThat(kv.send(pipeline.toString()))
                    .isEqualTo(":1\r\n$-1\r\n:2\r\n$-1\r\n+OK\r\n$-1\r\n+OK\r\n$-1\r\n:0\r\n:0\r\n"
                            + "*3\r\n$2\r\nv1\r\n$2\r\nv3\r\n$1\r\n2\r\n$1\r\n2\r\n"
                            + "$2\r\nv1\r\n$-1\r\n$2\r\nv3\r\n");
            assertThat(kv.cmd("EXISTS", "n1", "a1", "a3")).isEqualTo(":3\r\n");
            assertThat(kv.cmd("EXISTS", "n2", "zz", "a2", "a9")).isEqualTo(":0\r\n");
        }
    }

    private double measure(int pipeline, String setup, String key, String value, String... command) throws IOException {
        byte[] prepare = setup == null ? null : KvHarness.encode(setup, key, value);
        return measureRaw(pipeline, prepare, KvHarness.encode(command));
    }

    /** Sends {@code pipeline} copies of {@code command} per round; bytes allocated per command. */
    private double measureRaw(int pipeline, byte[] prepare, byte[] command) throws IOException {
        AtomicLong clock = new AtomicLong(KvHarness.T0);
        KeyValueStore store = new KeyValueStore(clock::get, RespLimits.DEFAULTS.maxBulkLength());
        CommandExecutor executor = new CommandExecutor(store, RespLimits.DEFAULTS);
        RespSession session = new RespSession(executor, RespLimits.DEFAULTS);
        byte[] batch = new byte[command.length * pipeline];
        for (int i = 0; i < pipeline; i++) {
            System.arraycopy(command, 0, batch, i * command.length, command.length);
        }
        try (LinkBuffer in = new LinkBuffer();
                LinkBuffer out = new LinkBuffer()) {
            if (prepare != null) {
                round(session, in, out, prepare);
            }
            for (int i = 0; i < WARMUP_ROUNDS; i++) {
                round(session, in, out, batch);
            }
            // Steady state: the least of three measurements (a JIT still compiling the path, as on
            // a loaded machine or another JDK, allocates for a while: the later ones see it done).
            long allocated = Long.MAX_VALUE;
            for (int attempt = 0; attempt < 3; attempt++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < MEASURED_ROUNDS; i++) {
                    round(session, in, out, batch);
                }
                allocated = Math.min(allocated, mx.getCurrentThreadAllocatedBytes() - before);
            }
            // The same rounds with the session replaced by "take the input, write a reply": what
            // the buffers and this loop allocate, which is not the server's.
            byte[] reply = Resp.PONG;
            for (int i = 0; i < WARMUP_ROUNDS; i++) {
                controlRound(in, out, batch, reply);
            }
            long control = Long.MAX_VALUE;
            for (int attempt = 0; attempt < 3; attempt++) {
                long controlStart = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < MEASURED_ROUNDS; i++) {
                    controlRound(in, out, batch, reply);
                }
                control = Math.min(control, mx.getCurrentThreadAllocatedBytes() - controlStart);
            }
            return (double) Math.max(0, allocated - control) / ((long) MEASURED_ROUNDS * pipeline);
        }
    }

    private static void controlRound(LinkBuffer in, LinkBuffer out, byte[] batch, byte[] reply) throws IOException {
        in.writeBinary(batch);
        in.flush();
        in.skip(in.len());
        out.writeBinary(reply);
        in.release();
        out.flush();
        out.skip(out.len());
        out.release();
    }

    /** What the netpoll handler does with one batch of input: process, flush, and the peer reads. */
    private static void round(RespSession session, LinkBuffer in, LinkBuffer out, byte[] batch) throws IOException {
        in.writeBinary(batch);
        in.flush();
        // Plain checks: an assertion object per round would be counted as the server's allocation.
        if (!session.process(in, out)) {
            throw new AssertionError("the session closed the connection");
        }
        in.release();
        out.flush();
        if (out.len() == 0) {
            throw new AssertionError("no reply");
        }
        out.skip(out.len());
        out.release();
    }

    private static void report(String command, int pipeline, double perCommand) {
        System.getLogger(KvAllocationTests.class.getName())
                .log(System.Logger.Level.INFO, "{0} -P {1}: {2} bytes/command", command, pipeline, perCommand);
    }
}
