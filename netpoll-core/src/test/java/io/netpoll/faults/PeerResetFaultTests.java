package io.netpoll.faults;

import io.netpoll.faults.Frames.Mode;
import io.netpoll.testing.PeerIo;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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

/**
 * Peers that reset their connection (RST) in the middle of a frame, hundreds at once: plaintext
 * peers, and TLS peers in the middle of a record ({@link Transport}).
 */
class PeerResetFaultTests {
    @RegisterExtension
    final TestNet net = TestNet.faultScenario();

    @ParameterizedTest
    @MethodSource("io.netpoll.faults.Transport#everyModeOnEach")
    void resetInTheMiddleOfAFrameOnHundredsOfConnectionsAtOnce(Mode mode, Transport transport) throws Exception {
        int connections = transport == Transport.TLS ? 100 : 200; // a TLS peer costs a handshake
        long cipherBefore = Transport.stagedCipherBytes();
        Server server = net.startServer(mode.handler(), mode.options(transport.options()));
        Random random = new Random(connections);
        List<Socket> sockets = new ArrayList<>();
        long delivered = 0;
        for (int i = 0; i < connections; i++) {
            delivered += transport == Transport.TLS
                    ? leaveInTheMiddleOfARecord(server.port(), i % 4, random, sockets)
                    : leaveInTheMiddleOfAFrame(server.port(), i % 4, random, sockets);
        }
        long total = delivered;
        // Every byte (TLS: every complete record, decrypted) is in the server: each connection
        // sits in the middle of a frame or a record.
        await().atMost(Duration.ofSeconds(20)).until(() -> server.loop().stats().bytesIn() == total);
        assertThat(server.loop().stats().connectionsActive()).isEqualTo(connections);

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
        assertThat(server.loop().stats().tls().handshakes()).isEqualTo(transport == Transport.TLS ? connections : 0);
        assertThat(transport.freshClientServed(server.port(), 1)).isTrue();
        // Every connection is gone: none holds ciphertext staging any more.
        await().atMost(Duration.ofSeconds(15)).until(() -> Transport.stagedCipherBytes() <= cipherBefore);
    }

    /**
     * Connects and leaves the connection in the middle of a frame, one of four ways; returns the
     * bytes sent, all of which the server reads.
     */
    private long leaveInTheMiddleOfAFrame(int port, int way, Random random, List<Socket> sockets) throws IOException {
        Socket s = net.socket(port);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        switch (way) {
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
        sockets.add(s);
        return b.size();
    }

    /**
     * Connects, shakes hands and leaves the connection in the middle of a TLS record, one of four
     * ways; returns the plaintext of the complete records sent, which the server reads.
     */
    private long leaveInTheMiddleOfARecord(int port, int way, Random random, List<Socket> sockets) throws IOException {
        RawTlsClient c = net.peer(RawTlsClient.connect(port));
        // Sealed last: records carry sequence numbers, so they go out in the order sealed.
        java.util.function.Supplier<byte[]> sealNext = () -> {
            try {
                return c.seal(Frames.frame(800, random));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        long delivered = 0;
        switch (way) {
            case 0 -> c.writeRaw(sealNext.get(), 0, 3); // half a record header
            case 1 -> { // a header and half its record
                byte[] next = sealNext.get();
                c.writeRaw(next, 0, next.length / 2);
            }
            case 2 -> { // a whole frame in its record, then half of a frame in a whole record, then half a record
                byte[] whole = Frames.frame(200, random);
                byte[] halfFrame = java.util.Arrays.copyOf(Frames.frame(900, random), 300);
                c.writeRaw(c.seal(whole));
                c.writeRaw(c.seal(halfFrame));
                byte[] next = sealNext.get();
                c.writeRaw(next, 0, next.length - 1);
                delivered += whole.length + halfFrame.length;
            }
            default -> { // frames whose replies are never read, then half a record
                for (int f = 0; f < 16; f++) {
                    byte[] frame = Frames.frame(1000, random);
                    c.writeRaw(c.seal(frame));
                    delivered += frame.length;
                }
                c.writeRaw(sealNext.get(), 0, 10);
            }
        }
        sockets.add(c.socket); // reset like a plain socket: RawTlsClient.reset() is SO_LINGER 0 and close
        return delivered;
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
