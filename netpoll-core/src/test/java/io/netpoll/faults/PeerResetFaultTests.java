package io.netpoll.faults;

import io.netpoll.faults.Frames.Mode;
import io.netpoll.testing.PeerIo;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Peers that reset their connection (RST) in the middle of a frame, hundreds at once. */
class PeerResetFaultTests {
    @RegisterExtension
    final TestNet net = TestNet.faultScenario();

    private static final int CONNECTIONS = 200;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void resetInTheMiddleOfAFrameOnHundredsOfConnectionsAtOnce(Mode mode) throws Exception {
        Server server = net.startServer(mode.handler(), mode.options());
        Random random = new Random(CONNECTIONS);
        List<Socket> sockets = new ArrayList<>();
        long sent = 0;
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket s = net.socket(server.port());
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            switch (i % 4) {
                case 0 -> b.write(3); // half a header
                case 1 -> { // a header and half its body
                    b.writeBytes(new byte[] {(byte) (1000 >>> 8), (byte) 1000});
                    b.writeBytes(new byte[500]);
                }
                case 2 -> { // a whole frame, then half of the next
                    b.writeBytes(Frames.frame(200, random));
                    b.writeBytes(java.util.Arrays.copyOf(Frames.frame(800, random), 300));
                }
                default -> { // frames whose replies are never read, then half a frame
                    for (int f = 0; f < 16; f++) {
                        b.writeBytes(Frames.frame(1000, random));
                    }
                    b.writeBytes(java.util.Arrays.copyOf(Frames.frame(1000, random), 10));
                }
            }
            s.getOutputStream().write(b.toByteArray());
            sent += b.size();
            sockets.add(s);
        }
        long total = sent;
        // Every byte is in the server: each connection sits in the middle of a frame.
        await().atMost(Duration.ofSeconds(20)).until(() -> server.loop().stats().bytesIn() == total);
        assertThat(server.loop().stats().connectionsActive()).isEqualTo(CONNECTIONS);

        // RST from four threads at once (SO_LINGER 0 makes close() send a reset).
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> resetters = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int first = t;
            resetters.add(net.exec().submit(() -> {
                go.await();
                for (int i = first; i < sockets.size(); i += 4) {
                    sockets.get(i).setSoLinger(true, 0);
                    sockets.get(i).close();
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : resetters) {
            f.get(10, TimeUnit.SECONDS);
        }

        await().atMost(Duration.ofSeconds(15)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().handlerErrors())
                .as("a reset is not the handler's fault")
                .isZero();
        assertThat(Frames.freshClientServed(server.port(), 1)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void resetWhileTheServerIsWritingAReplyTheClientDoesNotRead(Mode mode) throws Exception {
        Server server = net.startServer(mode.handler(), mode.options());
        Random random = new Random(7);
        // Far more replies than the socket buffers hold: the server's flush finds a full socket.
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int f = 0; f < 500; f++) {
            b.writeBytes(Frames.frame(1000, random));
        }
        byte[] requests = b.toByteArray();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Socket s = net.socket(server.port(), 4096);
            sockets.add(s);
            net.exec().submit(() -> PeerIo.writeQuietly(s.getOutputStream(), requests));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> server.loop().stats().bytesOut() > 50L * 4096);
        for (Socket s : sockets) {
            s.setSoLinger(true, 0);
            s.close();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().handlerErrors()).isZero();
        assertThat(Frames.freshClientServed(server.port(), 2)).isTrue();
    }
}
