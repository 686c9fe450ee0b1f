package io.netpoll.pool;

import java.net.SocketTimeoutException;

/**
 * No connection became available within the acquire timeout (the pool for that address was at
 * its maximum and nothing was released). A {@link SocketTimeoutException}, like the dial timeout.
 */
public class AcquireTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    public AcquireTimeoutException(String message) {
        super(message);
    }
}
