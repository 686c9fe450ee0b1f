package io.netpoll.spring.server;

import io.netpoll.ServerConfig;

/**
 * Adjusts the {@link ServerConfig settings} of each auto-configured server's
 * {@link io.netpoll.EventLoop} before it is created, through the typed builder (only server
 * settings exist there). Beans of this type are applied in
 * {@link org.springframework.core.annotation.Order order}, after the settings from
 * {@code netpoll.*} properties, so a customizer can override them (the last setting of a kind
 * wins).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@FunctionalInterface
public interface NetpollServerCustomizer {

    /**
     * Customize the settings of one server.
     * @param serverName the server name ({@code default} or a key of {@code netpoll.servers})
     * @param config the builder, holding the settings from properties so far
     */
    void customize(String serverName, ServerConfig.Builder config);
}
