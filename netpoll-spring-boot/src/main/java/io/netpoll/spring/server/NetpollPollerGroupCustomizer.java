package io.netpoll.spring.server;

import io.netpoll.PollerGroup;

/**
 * Adjusts the auto-configured {@link PollerGroup} right after it is created from
 * {@code netpoll.poller.*}, before any server or dialer uses it. Applied in
 * {@link org.springframework.core.annotation.Order order}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@FunctionalInterface
public interface NetpollPollerGroupCustomizer {

    /**
     * Customize the poller group.
     * @param pollerGroup the poller group
     */
    void customize(PollerGroup pollerGroup);
}
