package io.netpoll.spring.health;

import io.netpoll.PollerGroup;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import java.time.Duration;
import java.util.Map;

/**
 * Health of the pollers of an application without servers (client connections only): {@code UP}
 * while the poller group is open and no poller has been out of {@code select} longer than the
 * stuck-poller threshold (see {@link NetpollServerHealthIndicator}), {@code DOWN} otherwise.
 * Pollers start with the first connection, so {@code pollers} may be 0 while {@code UP}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollPollerHealthIndicator extends AbstractHealthIndicator {

    private final PollerGroup pollerGroup;

    private final Duration stuckPollerThreshold;

    public NetpollPollerHealthIndicator(PollerGroup pollerGroup) {
        this(pollerGroup, NetpollServerHealthIndicator.DEFAULT_STUCK_POLLER_THRESHOLD);
    }

    /**
     * An indicator that also reports a poller stuck out of {@code select}.
     * @param pollerGroup the poller group
     * @param stuckPollerThreshold time out of select after which a poller counts as stuck
     * (zero: never)
     */
    public NetpollPollerHealthIndicator(PollerGroup pollerGroup, Duration stuckPollerThreshold) {
        super("Netpoll health check failed");
        this.pollerGroup = pollerGroup;
        this.stuckPollerThreshold = stuckPollerThreshold;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("pollers", this.pollerGroup.stats().pollers());
        builder.withDetail("pollersExpected", this.pollerGroup.numLoops());
        if (this.pollerGroup.isClosed()) {
            builder.down().withDetail("reason", "poller group closed");
        } else {
            Map<String, Object> stuck = StuckPollers.find(this.pollerGroup, this.stuckPollerThreshold);
            if (stuck != null) {
                builder.down()
                        .withDetail(
                                "reason",
                                "poller stuck in a handler or task for more than "
                                        + this.stuckPollerThreshold.toMillis() + " ms")
                        .withDetail("stuckPoller", stuck);
            } else {
                builder.up();
            }
        }
    }
}
