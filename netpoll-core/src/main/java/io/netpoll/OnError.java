package io.netpoll;

import org.jspecify.annotations.Nullable;

/**
 * The application's error hook ({@link Option#onError}): decides what an exception thrown by
 * {@link OnRequest} or {@link OnConnect} does. Not in Go netpoll (whose handlers return errors).
 *
 * <h2>Threading</h2>
 * Runs on the thread of the call that failed, right after it, still as the connection's one
 * running handler: it may write a reply with {@code connection.writer()} and {@code flush()} it
 * (an inline handler's hook must not block, as the handler itself).
 *
 * <h2>What it decides</h2>
 * Its {@link ErrorAction}: close with the default logging ({@link ErrorAction#close()}), close
 * quietly, close logging at a level of its choice, or keep the connection open (the hook
 * replied; what the failed call had taken is released as after any call). Every error is counted
 * whatever the hook decides: {@link NetStats#peerErrors()} for errors the peer caused (read
 * timeout, reset, failed dial, see {@link ErrorAction#isPeerError}), otherwise
 * {@link NetStats#handlerErrors()}. A write timeout or a closed connection noticed by the
 * handler never reaches the hook: the connection is already gone.
 *
 * <h2>Errors</h2>
 * An exception thrown by the hook is logged at WARNING (the original attached as suppressed) and
 * the connection is closed; {@code null} counts as {@link ErrorAction#close()}.
 *
 * @param <C> the context type, the one the event loop's {@link OnRequest} declares
 */
@FunctionalInterface
public interface OnError<C extends @Nullable Object> {
    /**
     * @param context    the connection's context (null without {@link OnPrepare}/{@link OnConnect})
     * @param connection the connection whose handler failed (still open)
     * @param error      what the handler threw
     * @return what to do with the connection and the log
     */
    @Nullable ErrorAction onError(C context, Connection connection, Throwable error) throws Exception;
}
