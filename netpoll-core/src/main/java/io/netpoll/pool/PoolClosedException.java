package io.netpoll.pool;

import java.io.IOException;

/** The pool was closed before or while this acquire waited. */
public class PoolClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    public PoolClosedException(String message) {
        super(message);
    }
}
