package io.netpoll;

import java.net.SocketTimeoutException;

/**
 * {@code flush()} waited longer than the connection's write timeout for the peer to accept
 * bytes. The connection stays open; the unsent bytes stay queued and go out with the next
 * {@code flush()}. Most callers close the connection, since the peer is not reading.
 */
public class WriteTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    public WriteTimeoutException(String message) {
        super(message);
    }
}
