package io.netpoll;

/**
 * Initialises an accepted connection before it is registered with a poller and returns its
 * context, handed to every {@link OnRequest} call (netpoll's {@code OnPrepare}). Runs on the
 * accepting poller thread, so it must be quick and must not block. An exception rejects the
 * connection (closed, counted in {@link NetStats#connectionsRejected()}).
 */
@FunctionalInterface
public interface OnPrepare {
    Object prepare(Connection connection) throws Exception;
}
