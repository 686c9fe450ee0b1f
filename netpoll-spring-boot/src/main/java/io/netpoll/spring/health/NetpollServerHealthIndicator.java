package io.netpoll.spring.health;

import io.netpoll.PollerGroup;
import io.netpoll.PollerGroupStats;
import io.netpoll.spring.server.NetpollServer;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Health of one netpoll server, from state it already keeps (never dials out):
 * <ul>
 * <li>{@code UP} while listening with every poller running;</li>
 * <li>{@code OUT_OF_SERVICE} before it listens and while it drains at shutdown;</li>
 * <li>{@code DOWN} when the listener failed or closed, the server stopped, the poller group was
 * closed, a poller thread died (fewer run than this indicator saw running before), or a poller
 * has been out of {@code select} longer than the stuck-poller threshold (a handler or task holds
 * it and could not be handed off; detail {@code stuckPoller} names the poller, its thread and
 * what it runs, by connection id, never by address).</li>
 * </ul>
 * Details: {@code state}, {@code network}, {@code address}, {@code port}, {@code tls} (whether
 * it speaks TLS), {@code connections}
 * (open now), {@code pollers} (running) and {@code pollersExpected}. Never peer addresses.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollServerHealthIndicator extends AbstractHealthIndicator {

    private final NetpollServer server;

    private final PollerGroup pollerGroup;

    /**
     * Most poller threads seen running. Pollers start lazily (with the first listener or
     * connection), and netpoll-core reports only how many run, not how many were started, so
     * a poller that died shows as a drop below this.
     */
    private final AtomicInteger mostPollersSeen = new AtomicInteger();

    private final Duration stuckPollerThreshold;

    public NetpollServerHealthIndicator(NetpollServer server, PollerGroup pollerGroup) {
        this(server, pollerGroup, DEFAULT_STUCK_POLLER_THRESHOLD);
    }

    /**
     * An indicator that also reports a poller stuck out of {@code select}.
     * @param server the server
     * @param pollerGroup its poller group
     * @param stuckPollerThreshold time out of select after which a poller counts as stuck
     * (zero: never)
     */
    public NetpollServerHealthIndicator(NetpollServer server, PollerGroup pollerGroup, Duration stuckPollerThreshold) {
        super("Netpoll health check failed");
        this.server = server;
        this.pollerGroup = pollerGroup;
        this.stuckPollerThreshold = stuckPollerThreshold;
    }

    /**
     * The default of {@code netpoll.health.stuck-poller-threshold}.
     */
    public static final Duration DEFAULT_STUCK_POLLER_THRESHOLD = Duration.ofSeconds(10);

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        NetpollServer.State state = this.server.getState();
        PollerGroupStats pollers = this.pollerGroup.stats();
        int running = pollers.pollers();
        int expected = this.pollerGroup.numLoops();
        int most = this.mostPollersSeen.accumulateAndGet(running, Math::max);
        builder.withDetail("state", state.name());
        builder.withDetail("network", this.server.getEndpoint().network().name().toLowerCase(java.util.Locale.ROOT));
        SocketAddress address = this.server.getLocalAddress();
        if (address instanceof InetSocketAddress inet) {
            builder.withDetail("address", inet.getAddress().getHostAddress());
            builder.withDetail("port", inet.getPort());
        } else if (address != null) {
            builder.withDetail("path", String.valueOf(address));
        }
        builder.withDetail("tls", this.server.getEventLoop().config().tls() != null);
        builder.withDetail("connections", this.server.getEventLoop().stats().connectionsActive());
        builder.withDetail("pollers", running);
        builder.withDetail("pollersExpected", expected);
        switch (state) {
            case CREATED, DRAINING -> builder.status(Status.OUT_OF_SERVICE);
            case SERVING -> {
                if (this.pollerGroup.isClosed()) {
                    builder.down().withDetail("reason", "poller group closed");
                } else if (running < most) {
                    builder.down().withDetail("reason", "poller threads died: " + running + " of " + most + " running");
                } else if (!this.server.isListening()) {
                    builder.down().withDetail("reason", "listener closed");
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
            case FAILED -> {
                builder.down();
                Throwable failure = this.server.getFailure();
                if (failure != null) {
                    builder.withDetail("reason", "listener failed: " + failure);
                }
            }
            case STOPPED -> builder.down().withDetail("reason", "stopped");
        }
    }
}
