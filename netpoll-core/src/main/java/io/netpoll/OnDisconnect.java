package io.netpoll;

/**
 * Called once when a connection ends because the peer closed or reset it (netpoll's
 * {@code OnDisconnect}); not called for a local {@code close()}. Runs after the handler has
 * returned and before the close callbacks. Exceptions are logged and ignored.
 */
@FunctionalInterface
public interface OnDisconnect {
    void onDisconnect(Object context, Connection connection) throws Exception;
}
