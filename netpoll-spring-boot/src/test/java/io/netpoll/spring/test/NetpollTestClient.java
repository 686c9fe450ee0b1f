package io.netpoll.spring.test;

import io.netpoll.Connection;
import io.netpoll.Dialer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Test helper: one request and its echo through a {@link Dialer}.
 */
public final class NetpollTestClient {

    private NetpollTestClient() {}

    public static Connection connect(Dialer dialer, int port) throws IOException {
        Connection connection = dialer.dialConnection("tcp", "127.0.0.1:" + port, Duration.ofSeconds(5));
        connection.setReadTimeout(Duration.ofSeconds(20));
        return connection;
    }

    public static String send(Connection connection, String message) throws IOException {
        return send(connection, message, message.length());
    }

    public static String send(Connection connection, String message, int replyLength) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        connection.writer().writeBinary(bytes, 0, bytes.length);
        connection.writer().flush();
        return receive(connection, replyLength);
    }

    public static String receive(Connection connection, int length) throws IOException {
        String reply = connection.reader().readString(length, StandardCharsets.UTF_8);
        connection.reader().release();
        return reply;
    }

    public static String echo(Dialer dialer, int port, String message) throws IOException {
        return exchange(dialer, port, message, message.length());
    }

    public static String exchange(Dialer dialer, int port, String message, int replyLength) throws IOException {
        try (Connection connection = connect(dialer, port)) {
            return send(connection, message, replyLength);
        }
    }
}
