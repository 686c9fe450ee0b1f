package io.netpoll.pool;

import io.netpoll.Connection;

import java.io.IOException;

/**
 * Opens a new connection to an address for a {@link ConnectionPool}; usually a
 * {@link io.netpoll.Dialer} ({@code address -> dialer.dialConnection("tcp", address)}). Called
 * from the acquiring thread, outside any pool lock; it may block (bounded by its own connect
 * timeout) and throws the dial's {@link IOException}s.
 */
@FunctionalInterface
public interface Connector {
    Connection connect(String address) throws IOException;
}
