package io.netpoll;

import org.jspecify.annotations.Nullable;

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
 * that is already closing. An {@link Option#onError OnError} hook may turn it into a reply, a quiet
 * close, or another log level; an error the peer caused (read timeout, reset, a failed dial) is
 * logged as one rate-limited line and counted in {@link NetStats#peerErrors()} instead.
 *
 * <h2>Context type</h2>
 * {@code C} is the type of the per-connection context made by {@link OnPrepare} /
 * {@link OnConnect} (the handler declares it, e.g. {@code implements OnRequest<Session>}, and
 * needs no cast). The event loop does not check it against what {@code OnPrepare} returns: a
 * mismatch surfaces as a {@link ClassCastException} from the handler. A lambda without a declared
 * type gets {@code Object}.
 *
 * @param <C> the context type; nullable when the event loop has no {@link OnPrepare}
 */
@FunctionalInterface
public interface OnRequest<C extends @Nullable Object> {
    /**
     * @param context    the object returned by {@link OnPrepare} / {@link OnConnect}, or null
     *                   without them
     * @param connection the connection with unread data
     */
    void onRequest(C context, Connection connection) throws Exception;
}
