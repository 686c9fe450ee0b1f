package io.netpoll.spring.server;

import io.netpoll.OnRequest;

/**
 * Wraps the handler of each auto-configured server, for cross-cutting concerns such as the
 * metrics' error counter and opt-in request timer. Applied in
 * {@link org.springframework.core.annotation.Order order}: the first decorator wraps the
 * handler, the next wraps the result. A decorator runs on every request, so it must be cheap.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@FunctionalInterface
public interface NetpollHandlerDecorator {

    /**
     * Decorate the handler of one server.
     * @param serverName the server name
     * @param handler the handler (possibly already decorated)
     * @return the handler to use
     */
    OnRequest decorate(String serverName, OnRequest handler);
}
