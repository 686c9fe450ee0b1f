package io.netpoll.spring.boot.test;

import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link NetpollTestClient} against a misbehaving peer (a plain socket on the loopback address):
 * it fails the test, quickly and without exhausting the heap.
 */
@Timeout(30)
class NetpollTestClientTests {

    private final NetpollTestClient client = new NetpollTestClient(
                    new DefaultListableBeanFactory().getBeanProvider(NetpollServers.class))
            .withTimeout(Duration.ofSeconds(5));

    @Test
    void hugeFrameLengthFailsWithoutAllocatingIt() throws Exception {
        assertPeerFails(
                new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                NetpollTestClient.Session::readFrame,
                "Frame length 2147483647");
    }

    @Test
    void endlessLineFails() throws Exception {
        byte[] noNewline = new byte[NetpollTestClient.MAX_LINE_LENGTH + 16];
        java.util.Arrays.fill(noNewline, (byte) 'x');
        assertPeerFails(noNewline, NetpollTestClient.Session::readLine, "No end of line");
    }

    @Test
    void peerClosingEarlyFailsTheRead() throws Exception {
        assertPeerFails(new byte[] {'a', 'b'}, (session) -> session.read(3), "Connection closed by the server");
    }

    @Test
    void unknownServerWithoutServersFails() {
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> this.client.dial("echo"))
                .withMessageContaining("servers: none");
    }

    private void assertPeerFails(
            byte[] sent, java.util.function.Consumer<NetpollTestClient.Session> read, String message) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (Socket socket = server.accept()) {
                    OutputStream out = socket.getOutputStream();
                    out.write(sent);
                    out.flush();
                } catch (IOException ex) {
                    // the client may close first, once it has failed
                }
            });
            try (NetpollTestClient.Session session =
                    this.client.dial(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()))) {
                assertThatExceptionOfType(AssertionError.class)
                        .isThrownBy(() -> read.accept(session))
                        .withMessageContaining(message);
            }
            peer.get(10, TimeUnit.SECONDS);
        }
    }
}
