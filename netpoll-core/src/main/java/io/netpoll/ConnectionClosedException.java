package io.netpoll;

import java.io.IOException;

/**
 * The connection is closed (locally, by the peer, by a reset, or by shutdown), so the operation
 * cannot complete. Thrown by blocking reads that were waiting when the connection closed, by
 * reads that need more bytes than the peer sent before it closed, and by every
 * {@link io.netpoll.buffer.Writer Writer} method ({@code malloc}, {@code write*}, {@code append},
 * {@code flush}) on a closed connection: one exception type for "the connection has gone",
 * whatever the call. The connection is not usable afterwards.
 */
public class ConnectionClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ConnectionClosedException(String message) {
        super(message);
    }

    public ConnectionClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
