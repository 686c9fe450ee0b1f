package io.netpoll.benchmarks.soak;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Connection churn: connect, make one request, close, over and over, paced to a total rate.
 * Connections alternate between the echo server (a random 1–512 B payload, echoed and checked)
 * and the proxy (an {@code INCR} of the thread's counter, checked exactly, so every proxy
 * connection also makes the proxy dial and close an upstream connection). One connection in
 * {@value #ABORT_EVERY} sends its request and is then reset ({@code SO_LINGER} 0) without
 * waiting for the answer, the way a crashing client leaves; those are counted but cannot be checked.
 */
final class ChurnWorkload extends Workload {

    static final int ABORT_EVERY = 4;
    private static final int MAX_PAYLOAD = 512;
    private static final byte[] PING = KvWorkload.bytes("*1\r\n$4\r\nPING\r\n");
    private static final byte[] INCR = KvWorkload.bytes("INCR");

    private final int echoPort;
    private final int proxyPort;
    private final long periodNanos;
    private final long seed;

    ChurnWorkload(
            String host, int echoPort, int proxyPort, int threads, int ratePerSecond, Duration ioTimeout, long seed) {
        super("churn", "connections", threads, host, ioTimeout);
        this.echoPort = echoPort;
        this.proxyPort = proxyPort;
        this.periodNanos = 1_000_000_000L * threads / ratePerSecond;
        this.seed = seed;
    }

    @Override
    protected void run(int index) {
        SplittableRandom rnd = new SplittableRandom(seed * 13 + index);
        byte[] counter = KvWorkload.bytes("soak:" + Long.toHexString(seed) + ":churn:" + index);
        byte[] sent = new byte[MAX_PAYLOAD];
        byte[] received = new byte[MAX_PAYLOAD];
        long count = 0;
        boolean uncertain = false;
        long next = System.nanoTime();
        for (long i = 0; !stopping(); i++) {
            next = pace(next);
            boolean viaProxy = (i & 1) == 1;
            boolean abort = i % ABORT_EVERY == ABORT_EVERY - 1;
            Socket socket = null;
            try {
                socket = connect(viaProxy ? proxyPort : echoPort);
                if (abort) {
                    socket.setSoLinger(true, 0);
                    if (viaProxy) {
                        socket.getOutputStream().write(PING);
                    } else {
                        socket.getOutputStream().write(sent, 0, 1 + rnd.nextInt(MAX_PAYLOAD));
                    }
                } else if (viaProxy) {
                    RespConnection conn = new RespConnection(socket);
                    conn.command(INCR, counter).flush();
                    long got = conn.readInteger();
                    if (got != count + 1 && !(uncertain && got == count + 2)) {
                        throw new VerificationException("INCR: expected " + (count + 1) + ", got " + got);
                    }
                    count = got;
                    uncertain = false;
                } else {
                    int n = 1 + rnd.nextInt(MAX_PAYLOAD);
                    Payloads.fill(rnd, sent, n);
                    EchoWorkload.roundTrip(socket, sent, received, n);
                }
                socket.close();
                completed(1);
            } catch (IOException | VerificationException e) {
                error("churn via " + (viaProxy ? "proxy" : "echo") + (abort ? " (reset)" : ""), e);
                uncertain |= viaProxy && !abort;
                closeQuietly(socket);
            }
        }
    }

    /** Waits for the next slot; a thread more than a second behind starts afresh instead of bursting. */
    private long pace(long next) {
        long now = System.nanoTime();
        if (now - next > 1_000_000_000L) {
            return now + periodNanos;
        }
        // parkNanos may return early; bounded by the slot time (and by stop)
        for (long left = next - now; left > 0 && !stopping(); left = next - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
        return next + periodNanos;
    }
}
