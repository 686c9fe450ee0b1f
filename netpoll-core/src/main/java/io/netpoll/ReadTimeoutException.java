package io.netpoll;

import java.net.SocketTimeoutException;

/**
 * A blocking read waited longer than the connection's read timeout. The connection stays open
 * and the bytes already buffered stay readable: the caller may retry or close.
 */
public class ReadTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    public ReadTimeoutException(String message) {
        super(message);
    }
}
