package io.netpoll;

import io.netpoll.internal.SocketOptionProbe;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Option#sendBufferSize} and {@link Option#receiveBufferSize} reach the sockets of both
 * sides, read back from the sockets themselves. The expected values are what the OS reports for
 * a plain socket given the same size (the OS may round or cap it), and differ from what it
 * reports without one, so the test cannot pass by accident.
 */
class SocketOptionsTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private static final int SEND = 40_000;
    private static final int RECEIVE = 50_000;

    static int reported(SocketOption<Integer> option, Integer size) throws IOException {
        try (SocketChannel reference = SocketChannel.open()) {
            if (size != null) {
                reference.setOption(option, size);
            }
            return reference.getOption(option);
        }
    }

    @Test
    void serverConnectionsGetTheSendAndReceiveBufferSizes() throws Exception {
        CompletableFuture<Connection> accepted = new CompletableFuture<>();
        Server server = net.startServer(
                TestNet::echo,
                Option.onPrepare(c -> {
                    accepted.complete(c);
                    return null;
                }),
                Option.sendBufferSize(SEND),
                Option.receiveBufferSize(RECEIVE));
        net.socket(server.port());
        Connection connection = accepted.get(10, TimeUnit.SECONDS);

        assertThat(SocketOptionProbe.get(connection, StandardSocketOptions.SO_SNDBUF))
                .isEqualTo(reported(StandardSocketOptions.SO_SNDBUF, SEND))
                .isNotEqualTo(reported(StandardSocketOptions.SO_SNDBUF, null));
        assertThat(SocketOptionProbe.get(connection, StandardSocketOptions.SO_RCVBUF))
                .as("inherited from the listening socket")
                .isEqualTo(reported(StandardSocketOptions.SO_RCVBUF, RECEIVE))
                .isNotEqualTo(reported(StandardSocketOptions.SO_RCVBUF, null));
    }

    @Test
    void dialedConnectionsGetTheSendAndReceiveBufferSizes() throws Exception {
        Server server = net.echoServer();
        Dialer dialer = net.dialer(Option.sendBufferSize(SEND), Option.receiveBufferSize(RECEIVE));
        try (Connection c = dialer.dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(5))) {
            assertThat(SocketOptionProbe.get(c, StandardSocketOptions.SO_SNDBUF))
                    .isEqualTo(reported(StandardSocketOptions.SO_SNDBUF, SEND));
            assertThat(SocketOptionProbe.get(c, StandardSocketOptions.SO_RCVBUF))
                    .isEqualTo(reported(StandardSocketOptions.SO_RCVBUF, RECEIVE));
            // and the connection works
            c.writer().writeString("ok");
            c.writer().flush();
            assertThat(c.reader().readString(2)).isEqualTo("ok");
            c.reader().release();
        }
    }

    @Test
    void withoutTheOptionsTheOsDefaultsStay() throws Exception {
        Server server = net.echoServer();
        try (Connection c = net.dialer().dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(5))) {
            assertThat(SocketOptionProbe.get(c, StandardSocketOptions.SO_SNDBUF))
                    .isNotEqualTo(reported(StandardSocketOptions.SO_SNDBUF, SEND));
        }
    }

    @Test
    void sizesMustBePositive() {
        assertThatThrownBy(() -> Option.sendBufferSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Option.receiveBufferSize(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
