package io.netpoll;

import org.jspecify.annotations.Nullable;

/**
 * Called once when a connection ends because the peer closed or reset it (netpoll's
 * {@code OnDisconnect}); not called for a local {@code close()}. Runs after the handler has
 * returned and before the close callbacks. Exceptions are logged and ignored.
 *
 * @param <C> the context type, the one the event loop's {@link OnRequest} declares
 */
@FunctionalInterface
public interface OnDisconnect<C extends @Nullable Object> {
    void onDisconnect(C context, Connection connection) throws Exception;
}
