package io.netpoll.sample.kv;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Redis's defence against cross-protocol scripting: a browser can be made to POST to a kv port
 * (the request line and headers are inline commands, the body can be {@code SET ...}), so a
 * connection whose command is {@code POST} or a {@code Host:} header line is closed at once,
 * before anything after it runs, and without a reply. Logged at WARN at most once per minute
 * (an attacker must not be able to flood the log), with the number of attempts since the last
 * warning.
 */
final class CrossProtocolGuard {
    private static final Logger log = LoggerFactory.getLogger(CrossProtocolGuard.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final AtomicLong nextLog = new AtomicLong(System.nanoTime());
    private static final AtomicLong suppressed = new AtomicLong();

    private CrossProtocolGuard() {}

    /** True if this command is an HTTP request line or header: the connection must be closed. */
    static boolean isAttack(byte[] command) {
        return Request.equalsIgnoreCase(command, "POST") || Request.equalsIgnoreCase(command, "HOST:");
    }

    static void report() {
        long now = System.nanoTime();
        long next = nextLog.get();
        if (now - next >= 0 && nextLog.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
            long others = suppressed.getAndSet(0);
            log.warn(
                    "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands "
                            + "to the kv server. This is likely due to an attacker attempting to use Cross Protocol Scripting "
                            + "to compromise the server. Connection closed.{}",
                    others > 0 ? " (" + others + " more since the last warning)" : "");
        } else {
            suppressed.incrementAndGet();
        }
    }
}
