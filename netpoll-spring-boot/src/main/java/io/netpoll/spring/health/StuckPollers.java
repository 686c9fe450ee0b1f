package io.netpoll.spring.health;

import io.netpoll.PollerGroup;
import io.netpoll.PollerStats;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds a poller that has not come back to {@code select} for longer than a threshold: a handler
 * or poller task holds its loop and could not be handed off (an inline handler, a poller task,
 * an adaptive handler with the spare-thread cap reached). An adaptive handler that blocks loses
 * the poller's role to a spare thread within milliseconds, so it never counts.
 */
final class StuckPollers {

    private StuckPollers() {}

    /**
     * The details of the longest-stuck poller, or null if none is stuck.
     * @param group the poller group
     * @param threshold time out of select that counts as stuck; zero or negative: never
     * @return details ({@code poller}, {@code thread}, {@code running}, {@code stuckForMillis},
     * {@code roleState}), or null
     */
    static @Nullable Map<String, Object> find(PollerGroup group, Duration threshold) {
        if (threshold.isZero() || threshold.isNegative()) {
            return null;
        }
        long limit = threshold.toNanos();
        PollerStats worst = null;
        long worstNanos = 0;
        for (PollerStats poller : group.pollerStats()) {
            long out = poller.nanosSinceSelect();
            if (out > limit && out > worstNanos) {
                worst = poller;
                worstNanos = out;
            }
        }
        if (worst == null) {
            return null;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("poller", worst.name());
        String thread = worst.threadName();
        details.put("thread", (thread != null) ? thread : "none");
        details.put("running", withoutPeerAddress(worst.runningNow()));
        details.put("stuckForMillis", Duration.ofNanos(worstNanos).toMillis());
        details.put("roleState", worst.roleState());
        return details;
    }

    /** Health details never name peers: "connection 42 /10.0.0.1:5555" becomes "connection 42". */
    private static String withoutPeerAddress(@Nullable String running) {
        if (running == null) {
            return "unknown";
        }
        if (running.startsWith("connection ")) {
            int end = running.indexOf(' ', "connection ".length());
            return (end > 0) ? running.substring(0, end) : running;
        }
        return running;
    }
}
