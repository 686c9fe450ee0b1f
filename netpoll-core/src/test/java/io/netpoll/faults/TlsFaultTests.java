package io.netpoll.faults;

import io.netpoll.Option;
import io.netpoll.ServerOption;
import io.netpoll.faults.Frames.Mode;
import io.netpoll.internal.tls.CipherBlocks;
import io.netpoll.testing.PeerIo;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.TlsFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.netpoll.testing.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault scenarios with TLS on: the {@link Frames} servers of every {@link Mode} behind
 * {@code Option.tls}, and peers that misbehave at the TLS layer, where a plaintext peer cannot:
 * ciphertext a byte at a time, corrupted records after the handshake, handshakes and records
 * left half-sent, {@code close_notify} in the middle of a frame. After each, besides
 * {@link FaultScenario}'s check (no connection left, no poller lost, no buffer node outstanding),
 * the ciphertext staging ({@link CipherBlocks}) is back where it was. The scenarios that both
 * transports share run on each ({@link Transport}): half a record then a reset in
 * {@link PeerResetFaultTests}, floods and peers that never read in {@link FloodingPeerFaultTests}.
 */
class TlsFaultTests {
    @RegisterExtension
    final TestNet net = TestNet.faultScenario();

    private long cipherBytesBefore;

    @BeforeEach
    void rememberCipherBlocks() {
        cipherBytesBefore = CipherBlocks.shared().outstandingBytes();
    }

    @AfterEach
    void idleTlsConnectionsHoldNoCipherBlock() {
        // Runs before FaultScenario's check: what is still open now is idle (every misbehaving
        // connection was closed by the scenario), and an idle TLS connection holds no staging.
        await().atMost(Duration.ofSeconds(15))
                .until(() -> CipherBlocks.shared().outstandingBytes() <= cipherBytesBefore);
    }

    private Server startTlsServer(Mode mode, ServerOption... more) throws IOException {
        return net.startServer(mode.handler(), mode.options(Transport.TLS.options(more)));
    }

    private RawTlsClient raw(int port) throws IOException {
        return net.peer(RawTlsClient.connect(port));
    }

    private SSLSocket jdkClient(int port) throws IOException {
        SSLSocket s = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket();
        net.peer(s);
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void ciphertextDribbledAByteAtATimeGetsExactRepliesWhileOthersAreServed(Mode mode) throws Exception {
        Server server = startTlsServer(mode);
        Random random = new Random(11);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        ByteArrayOutputStream cipher = new ByteArrayOutputStream();
        RawTlsClient slow = raw(server.port());
        for (int f = 0; f < 10; f++) { // one record per frame, every record split at every byte
            byte[] frame = Frames.frame(random.nextInt(120), random);
            plain.writeBytes(frame);
            cipher.writeBytes(slow.seal(frame));
        }
        SSLSocket other = jdkClient(server.port());
        byte[] records = cipher.toByteArray();
        for (int i = 0; i < records.length; i++) {
            slow.writeRaw(records, i, 1); // TCP_NODELAY: one segment per byte
            if (i % 100 == 0) { // another client is served while this one is in the middle of a record
                assertThat(Frames.roundTrip(other, new byte[] {(byte) i})).isTrue();
            }
        }
        assertThat(slow.read(plain.size())).isEqualTo(plain.toByteArray());
        assertThat(server.loop().stats().handlerErrors()).isZero();
        assertThat(server.loop().stats().tls().handshakes()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void corruptedRecordsAfterTheHandshakeCloseOnlyTheirConnection(Mode mode) throws Exception {
        int cases = 40;
        Server server = startTlsServer(mode);
        SSLSocket good = jdkClient(server.port());
        Random random = new Random(2026);
        for (int i = 0; i < cases; i++) {
            RawTlsClient c = raw(server.port());
            byte[] frame = Frames.frame(1 + random.nextInt(Frames.MAX_FRAME), random);
            byte[] record = c.seal(frame);
            byte[] bad = switch (i % 4) {
                case 0 -> { // a flipped bit in the ciphertext: bad_record_mac
                    byte[] b = record.clone();
                    b[5 + random.nextInt(b.length - 5)] ^= (byte) (1 << random.nextInt(8));
                    yield b;
                }
                case 1 -> { // random bytes where a record should be
                    byte[] b = new byte[1 + random.nextInt(3000)];
                    random.nextBytes(b);
                    yield b;
                }
                case 2 -> new byte[] {23, 3, 3, (byte) 0xff, (byte) 0xff, 1, 2, 3}; // an oversized record
                default -> { // a valid record, then a record of an unknown content type
                    byte[] b = Arrays.copyOf(record, record.length + 8);
                    b[record.length] = 99;
                    b[record.length + 1] = 3;
                    b[record.length + 2] = 3;
                    b[record.length + 4] = 3;
                    yield b;
                }
            };
            if (PeerIo.writeQuietly(c.socket.getOutputStream(), bad)) {
                // Our FIN: random bytes may announce a record longer than they are.
                c.socket.shutdownOutput();
            }
            // The server closes: an alert maybe, then the end. (Case 3's valid record is echoed first.)
            PeerIo.readToEnd(c.socket.getInputStream());
            c.close();
            assertThat(Frames.roundTrip(good, new byte[] {(byte) i}))
                    .as("the good client is served after case %d", i)
                    .isTrue();
        }
        // Every case is refused by the engine (protocol), but random bytes that look like the
        // start of a long record, ended by our FIN: a truncation.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(server.loop().stats().tls().failures(TlsFailure.PROTOCOL)
                                + server.loop().stats().tls().failures(TlsFailure.TRUNCATION))
                        .as("%s", failures(server))
                        .isEqualTo(cases));
        assertThat(server.loop().stats().tls().failures(TlsFailure.PROTOCOL)).isGreaterThanOrEqualTo(cases * 3 / 4);
        assertThat(server.loop().stats().tls().failures(TlsFailure.CERTIFICATE))
                .as("a record that fails to decrypt is not a certificate problem")
                .isZero();
        assertThat(server.loop().stats().handlerErrors())
                .as("a bad record is the peer's fault, not the handler's")
                .isZero();
        assertThat(Transport.TLS.freshClientServed(server.port(), 2)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void halfSentHandshakesAndRecordsAreEvictedByTheirTimeoutsWhileOthersAreServed(Mode mode) throws Exception {
        Duration handshakeTimeout = Duration.ofSeconds(1);
        Duration idle = Duration.ofSeconds(2);
        Server server = net.startServer(
                mode.handler(), mode.options(Option.idleTimeout(idle), Transport.tls(handshakeTimeout)));
        int held = 100;
        List<Socket> handshakes = new ArrayList<>();
        List<RawTlsClient> records = new ArrayList<>();
        Random random = new Random(5);
        for (int i = 0; i < held; i++) {
            // Half a ClientHello: a record header announcing 4 KiB, and 100 bytes of it.
            Socket s = net.socket(server.port());
            byte[] partial = new byte[100];
            partial[0] = 22;
            partial[1] = 3;
            partial[2] = 1;
            partial[3] = 0x10;
            s.getOutputStream().write(partial);
            handshakes.add(s);
            // A finished handshake, then half a record.
            RawTlsClient c = raw(server.port());
            byte[] record = c.seal(Frames.frame(500, random));
            c.writeRaw(record, 0, record.length / 2);
            records.add(c);
        }
        assertThat(Transport.TLS.freshClientServed(server.port(), 6)).isTrue();
        for (Socket s : handshakes) {
            assertThat(PeerIo.readToEnd(s.getInputStream()).bytes().length)
                    .as("closed at the handshake timeout: an alert at most")
                    .isLessThan(64);
        }
        for (RawTlsClient c : records) {
            assertThat(c.endsWithCloseNotify())
                    .as("closed at the idle timeout, with close_notify")
                    .isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().tls().failures(TlsFailure.TIMEOUT)).isEqualTo(held);
        assertThat(server.loop().stats().handlerErrors()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closeNotifyInTheMiddleOfAFrameGetsEveryReplyThenCloseNotify(Mode mode) throws Exception {
        int connections = 50;
        Server server = startTlsServer(mode);
        Random random = new Random(42);
        List<RawTlsClient> clients = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            RawTlsClient c = raw(server.port());
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int f = 0; f < 20; f++) {
                b.writeBytes(Frames.frame(random.nextInt(Frames.MAX_FRAME + 1), random));
            }
            byte[] complete = b.toByteArray();
            if (i % 2 == 1) { // and half a frame: close_notify comes mid-frame
                b.writeBytes(Arrays.copyOf(Frames.frame(500, random), 1 + random.nextInt(400)));
            }
            c.writeRaw(c.seal(b.toByteArray()));
            c.writeRaw(c.closeNotify());
            c.socket.shutdownOutput(); // and the FIN after it
            clients.add(c);
            expected.add(complete);
        }
        for (int i = 0; i < connections; i++) {
            RawTlsClient c = clients.get(i);
            assertThat(c.read(expected.get(i).length)).as("replies on %d", i).isEqualTo(expected.get(i));
            assertThat(c.endsWithCloseNotify()).as("then close_notify on %d", i).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().handlerErrors()).isZero();
        assertThat(server.loop().stats().tls().failures(TlsFailure.TRUNCATION))
                .as("close_notify is a clean end")
                .isZero();
        assertThat(Transport.TLS.freshClientServed(server.port(), 3)).isTrue();
    }

    private static String failures(Server server) {
        StringBuilder b = new StringBuilder();
        for (TlsFailure f : TlsFailure.values()) {
            b.append(f)
                    .append('=')
                    .append(server.loop().stats().tls().failures(f))
                    .append(' ');
        }
        return b.toString();
    }
}
