package io.netpoll.spring.autoconfigure.observation;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for netpoll's observations, under {@code netpoll.observations.*}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@ConfigurationProperties("netpoll.observations")
public class NetpollObservationProperties {

    private final Requests requests = new Requests();

    public Requests getRequests() {
        return this.requests;
    }

    /**
     * Observations of OnRequest calls.
     */
    public static class Requests {

        /**
         * Whether every OnRequest call of every server is a Micrometer observation
         * ('netpoll.server.handler'): a span with Micrometer Tracing, a timer with Micrometer
         * metrics. Needs an ObservationRegistry bean. Costs an observation per call, so it is off
         * by default.
         */
        private boolean enabled = false;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
