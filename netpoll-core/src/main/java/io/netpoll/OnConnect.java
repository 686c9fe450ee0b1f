package io.netpoll;

import org.jspecify.annotations.Nullable;

/**
 * Called once per accepted connection, after registration and before the first
 * {@link OnRequest} (netpoll's {@code OnConnect}); its result replaces the context. Runs like
 * {@link OnRequest} (on the executor, never concurrently with it), so it may block. An exception
 * closes the connection and goes through the same error handling as a handler's (counted,
 * {@link Option#onError} hook). Server-only: a {@link ServerOption}.
 *
 * @param <C> the context type, the one the event loop's {@link OnRequest} declares
 */
@FunctionalInterface
public interface OnConnect<C extends @Nullable Object> {
    /**
     * @param context the context {@link OnPrepare} returned, or null without one
     * @return the context from now on
     */
    C onConnect(C context, Connection connection) throws Exception;
}
