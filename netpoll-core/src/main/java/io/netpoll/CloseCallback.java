package io.netpoll;

/**
 * Runs once when a connection is closed, whoever closed it (netpoll's {@code CloseCallback}).
 * Callbacks run after any running handler has returned, newest first, before the connection's
 * buffer memory goes back to the pool; usually on an executor thread, never concurrently with
 * each other. Exceptions are logged and do not stop the other callbacks.
 */
@FunctionalInterface
public interface CloseCallback {
    void onClose(Connection connection) throws Exception;
}
