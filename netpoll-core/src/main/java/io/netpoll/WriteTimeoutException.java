package io.netpoll;

import java.net.SocketTimeoutException;

/**
 * {@code flush()} waited longer than the connection's write timeout for the peer to accept
 * bytes. Part of the output may have been sent, so the byte stream is in an unknown state: the
 * connection has been closed before this is thrown (unsent bytes are dropped, blocked readers
 * wake with {@link ConnectionClosedException}), and the close is counted in
 * {@link NetStats#writeTimeoutCloses()}. A handler may let it escape: it is not counted as a
 * handler error. (A read timeout, by contrast, leaves the connection open.)
 *
 * <p>Thrown to the thread that called {@code flush()}, {@code send} or {@code write}; immutable.
 */
public class WriteTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    public WriteTimeoutException(String message) {
        super(message);
    }
}
