package io.netpoll.internal;

import io.netpoll.Connection;

import java.io.IOException;
import java.net.SocketOption;

/**
 * Test helper (shipped in netpoll-core's test-jar): reads a socket option of a connection's
 * socket, so tests can check what an {@code Option} or a starter property set, without the public
 * API exposing the channel. Any thread; the connection must be open.
 */
public final class SocketOptionProbe {

    private SocketOptionProbe() {}

    public static <T> T get(Connection connection, SocketOption<T> option) throws IOException {
        return ((NioConnection) connection).channel.getOption(option);
    }
}
