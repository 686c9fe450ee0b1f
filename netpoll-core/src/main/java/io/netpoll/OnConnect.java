package io.netpoll;

/**
 * Called once per accepted connection, after registration and before the first
 * {@link OnRequest} (netpoll's {@code OnConnect}); its result replaces the context. Runs like
 * {@link OnRequest} (on the executor, never concurrently with it), so it may block. An exception
 * closes the connection and is counted as a handler error.
 */
@FunctionalInterface
public interface OnConnect {
    Object onConnect(Object context, Connection connection) throws Exception;
}
