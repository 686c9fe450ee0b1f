package io.netpoll;

import org.jspecify.annotations.Nullable;

/**
 * Initialises an accepted connection before it is registered with a poller and returns its
 * context, handed to every {@link OnRequest} call (netpoll's {@code OnPrepare}). Runs on the
 * accepting poller thread, so it must be quick and must not block. An exception rejects the
 * connection (closed, counted in {@link NetStats#connectionsRejected()}). Server-only: a
 * {@link ServerOption}.
 *
 * @param <C> the context type, the one the event loop's {@link OnRequest} declares
 */
@FunctionalInterface
public interface OnPrepare<C extends @Nullable Object> {
    C prepare(Connection connection) throws Exception;
}
