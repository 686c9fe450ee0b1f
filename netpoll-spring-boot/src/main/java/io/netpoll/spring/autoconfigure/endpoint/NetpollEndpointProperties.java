package io.netpoll.spring.autoconfigure.endpoint;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the {@code netpoll} Actuator endpoint beyond Boot's
 * {@code management.endpoint.netpoll.*}, under {@code netpoll.endpoint.*}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@ConfigurationProperties("netpoll.endpoint")
public class NetpollEndpointProperties {

    private final CloseConnections closeConnections = new CloseConnections();

    public CloseConnections getCloseConnections() {
        return this.closeConnections;
    }

    /**
     * The write operation that closes one connection by id.
     */
    public static class CloseConnections {

        /**
         * Whether the endpoint's write operation may close a connection by id (a management
         * action: the peer is disconnected). Off by default; when off the operation answers
         * that it is disabled and closes nothing.
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
