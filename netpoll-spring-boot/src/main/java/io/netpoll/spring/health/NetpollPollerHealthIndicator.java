package io.netpoll.spring.health;

import io.netpoll.PollerGroup;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the pollers of an application without servers (client connections only): {@code UP}
 * while the poller group is open and every started poller runs, {@code DOWN} otherwise.
 * Pollers start with the first connection, so {@code pollers} may be 0 while {@code UP}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollPollerHealthIndicator extends AbstractHealthIndicator {

	private final PollerGroup pollerGroup;

	public NetpollPollerHealthIndicator(PollerGroup pollerGroup) {
		super("Netpoll health check failed");
		this.pollerGroup = pollerGroup;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.withDetail("pollers", this.pollerGroup.stats().pollers());
		builder.withDetail("pollersExpected", this.pollerGroup.numLoops());
		if (this.pollerGroup.isClosed()) {
			builder.down().withDetail("reason", "poller group closed");
		}
		else {
			builder.up();
		}
	}

}
