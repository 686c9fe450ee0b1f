package io.netpoll;

import java.net.SocketTimeoutException;

/** A dial did not connect within its timeout. No connection was created. */
public class DialTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    public DialTimeoutException(String message) {
        super(message);
    }
}
