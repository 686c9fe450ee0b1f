package io.netpoll.benchmarks.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Persistent connections to the kv server <em>through the proxy</em>, one per thread. Each
 * round trip pipelines {@code SET key value} (a quarter of them with {@code PX}, so expiry runs
 * too), {@code GET key} and {@code INCR counter}, and every eighth also {@code DEL key} and a
 * {@code GET} that must miss; every reply is checked: the value byte for byte (random binary, 0 B
 * to 16 KiB), the counter exactly. Keys are private to the thread and the run (the run id is the
 * seed), a bounded set of {@value #KEYS} per thread, so the store does not grow with time.
 */
final class KvWorkload extends Workload {

    static final int KEYS = 512;
    static final int MAX_VALUE = 16 * 1024;

    private static final byte[] SET = bytes("SET");
    private static final byte[] GET = bytes("GET");
    private static final byte[] INCR = bytes("INCR");
    private static final byte[] DEL = bytes("DEL");
    private static final byte[] PX = bytes("PX");
    private static final byte[] TTL_MILLIS = bytes("60000");

    private final int port;
    private final long seed;

    KvWorkload(String host, int proxyPort, int connections, Duration ioTimeout, long seed) {
        super("kv", "commands", connections, host, ioTimeout);
        this.port = proxyPort;
        this.seed = seed;
    }

    @Override
    protected void run(int index) {
        SplittableRandom rnd = new SplittableRandom(seed * 17 + index);
        String prefix = "soak:" + Long.toHexString(seed) + ":kv:" + index + ":";
        byte[][] keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = bytes(prefix + i);
        }
        byte[] counter = bytes(prefix + "counter");
        byte[] value = new byte[MAX_VALUE];
        long count = 0;
        boolean uncertain = false; // the last batch failed: its INCR may or may not have happened
        long batch = 0;
        RespConnection conn = null;
        while (!stopping()) {
            try {
                if (conn == null) {
                    conn = new RespConnection(connect(port));
                }
                byte[] key = keys[rnd.nextInt(KEYS)];
                int n = rnd.nextInt(64) == 0 ? 0 : Payloads.size(rnd, MAX_VALUE);
                Payloads.fill(rnd, value, n);
                boolean px = rnd.nextInt(4) == 0;
                boolean del = ++batch % 8 == 0;
                conn.begin(px ? 5 : 3).arg(SET).arg(key).arg(value, n);
                if (px) {
                    conn.arg(PX).arg(TTL_MILLIS);
                }
                conn.command(GET, key).command(INCR, counter);
                if (del) {
                    conn.command(DEL, key).command(GET, key);
                }
                conn.flush();
                conn.expectSimple("OK");
                conn.expectBulk(value, n);
                long got = conn.readInteger();
                if (got != count + 1 && !(uncertain && got == count + 2)) {
                    throw new VerificationException(
                            "INCR: expected " + (count + 1) + (uncertain ? " or " + (count + 2) : "") + ", got " + got);
                }
                count = got;
                uncertain = false;
                if (del) {
                    conn.expectInteger(1);
                    conn.expectNil();
                }
                completed(del ? 5 : 3);
            } catch (IOException | VerificationException e) {
                error("kv via proxy", e);
                uncertain = true;
                closeQuietly(conn);
                conn = null;
            }
        }
        closeQuietly(conn);
    }

    private static void closeQuietly(RespConnection conn) {
        if (conn != null) {
            try {
                conn.close();
            } catch (IOException ignored) {
                // best effort; the error that led here was already counted
            }
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
