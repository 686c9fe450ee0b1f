package io.netpoll.spring.server;

import io.netpoll.DialerConfig;

/**
 * Adjusts the {@link DialerConfig settings} of the auto-configured {@link io.netpoll.Dialer}
 * before it is created, through the typed builder (only dialer settings exist there), after the
 * settings from {@code netpoll.dialer.*}. Applied in
 * {@link org.springframework.core.annotation.Order order}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@FunctionalInterface
public interface NetpollDialerCustomizer {

    /**
     * Customize the dialer's settings.
     * @param config the builder, holding the settings from properties so far
     */
    void customize(DialerConfig.Builder config);
}
