package io.netpoll.spring.autoconfigure.health;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Settings of the {@code netpoll} health contributor beyond Boot's
 * {@code management.health.netpoll.enabled}, under {@code netpoll.health.*}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@ConfigurationProperties("netpoll.health")
public class NetpollHealthProperties {

    /**
     * How long a poller may stay out of select (inside a handler or a poller task that it could
     * not hand off) before the netpoll health contributor reports DOWN. 0 turns the check off.
     */
    private Duration stuckPollerThreshold = Duration.ofSeconds(10);

    public Duration getStuckPollerThreshold() {
        return this.stuckPollerThreshold;
    }

    public void setStuckPollerThreshold(Duration stuckPollerThreshold) {
        if (stuckPollerThreshold.isNegative()) {
            throw new IllegalArgumentException(
                    "must not be negative; use a duration such as 10s, or 0 to turn the check off");
        }
        this.stuckPollerThreshold = stuckPollerThreshold;
    }
}
