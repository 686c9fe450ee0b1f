package io.netpoll.pool;

import java.io.IOException;

/**
 * The pool for an address is at its maximum and as many callers as allowed are already waiting:
 * this acquire fails at once instead of queueing (fail fast under overload, as Reactor Netty's
 * {@code pendingAcquireMaxCount}).
 */
public class PendingAcquireLimitException extends IOException {
    private static final long serialVersionUID = 1L;

    public PendingAcquireLimitException(String message) {
        super(message);
    }
}
