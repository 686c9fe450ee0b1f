package io.netpoll;

/**
 * Reads and handles the data of one connection (netpoll's {@code OnRequest}).
 *
 * <h2>Threading</h2>
 * Runs on the event loop's executor (or on the poller in inline mode). For one connection it is
 * never called twice at the same time. It is called when data arrives and again while unread
 * data remains and the previous call consumed some or more data arrived; a call that consumes
 * nothing is not repeated until new data arrives. With the default executor it may block in
 * {@code connection.reader().next(n)} until a whole frame is there.
 *
 * <h2>Ownership</h2>
 * Views returned by the reader are valid until the call returns: bytes taken are released after
 * each call.
 *
 * <h2>Errors</h2>
 * An exception closes this connection (only this one) and is logged and counted in
 * {@link NetStats#handlerErrors()}, except a {@link ConnectionClosedException} on a connection
 * that is already closing.
 */
@FunctionalInterface
public interface OnRequest {
    /**
     * @param context    the object returned by {@link OnPrepare} / {@link OnConnect}, or null
     * @param connection the connection with unread data
     */
    void onRequest(Object context, Connection connection) throws Exception;
}
