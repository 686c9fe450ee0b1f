package io.netpoll;

import io.netpoll.buffer.BufferPool;
import io.netpoll.internal.tls.AlertLinger;
import io.netpoll.internal.tls.CipherBlocks;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.ClientAuth;
import io.netpoll.tls.TlsConfig;
import io.netpoll.tls.TlsFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.netpoll.testing.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A refused TLS handshake ends with the alert reaching the peer, not with a reset that hides it:
 * after a fatal alert the connection sends FIN and discards what the peer still sends for a
 * bounded while ({@link AlertLinger}) before it closes. The adversaries: a client that goes on
 * writing after its refusal (a TLS 1.3 client's first request, a flood, a trickle), one that never
 * closes, and a thousand refused at once. All on 127.0.0.1, with the fixture's leak check.
 */
class TlsRefusalAlertTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private static final int ROUNDS = 50;
    /**
     * What the JDK's server says to a client it refuses for its certificate: Java 17 says
     * bad_certificate (or certificate_unknown for an untrusted one); Java 25 says
     * certificate_required (TLS 1.3; its client does not offer a certificate the server's CA list
     * excludes) or handshake_failure (TLS 1.2). Any of them is the alert; a reset is not.
     */
    private static final String CERTIFICATE_ALERTS =
            "bad_certificate|certificate_required|certificate_unknown|handshake_failure";

    private static final byte[] REQUEST = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);

    private Server mutualTlsServer(String... protocols) throws IOException {
        TlsConfig.ServerBuilder tls =
                TlsConfig.server(TestTls.serverContext("localhost")).clientAuth(ClientAuth.NEED);
        if (protocols.length > 0) {
            tls.protocols(protocols);
        }
        return net.startServer(TestNet::echo, Option.tls(tls.build()));
    }

    private SSLSocket client(SSLContext ctx, int port, String protocol) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
        net.peer(s);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {protocol});
        s.setSSLParameters(p);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    /**
     * What a refused client does, as a Redis client would: handshake, send a request at once (a
     * TLS 1.3 client is done with its handshake before the server's verdict), read the reply.
     * Returns the exception that ended it.
     */
    private Throwable refusedRequest(SSLContext ctx, int port, String protocol) throws IOException {
        try (SSLSocket s = client(ctx, port, protocol)) {
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(REQUEST);
            out.flush();
            int b = s.getInputStream().read();
            return new AssertionError("the refused client read " + b + " instead of an alert");
        } catch (IOException e) {
            return e;
        }
    }

    /** Every refusal is the alert (one of {@code alerts}, a regex alternation), never a reset or broken pipe. */
    private void assertEveryRefusalNamesTheAlert(SSLContext ctx, Server server, String protocol, String alerts)
            throws IOException {
        for (int i = 0; i < ROUNDS; i++) {
            Throwable t = refusedRequest(ctx, server.port(), protocol);
            assertThat(t)
                    .as("round %d: %s", i, t)
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageMatching(".*Received fatal alert: (" + alerts + ")");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aClientWithoutACertificateReadsTheAlertEveryTime(String protocol) throws Exception {
        Server server = mutualTlsServer();
        assertEveryRefusalNamesTheAlert(TestTls.clientContext(), server, protocol, CERTIFICATE_ALERTS);
        assertThat(server.loop().stats().tls().failures(TlsFailure.CERTIFICATE)).isEqualTo(ROUNDS);
        assertThat(server.loop().stats().tls().handshakeFailures()).isEqualTo(ROUNDS);
        assertThat(server.loop().stats().tls().handshakes()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aClientWithAnUntrustedCertificateReadsTheAlertEveryTime(String protocol) throws Exception {
        Server server = mutualTlsServer();
        assertEveryRefusalNamesTheAlert(TestTls.clientContext("untrusted"), server, protocol, CERTIFICATE_ALERTS);
        assertThat(server.loop().stats().tls().failures(TlsFailure.CERTIFICATE)).isEqualTo(ROUNDS);
    }

    @Test
    void aClientOfAnUnsupportedProtocolReadsTheAlertEveryTime() throws Exception {
        Server server = mutualTlsServer("TLSv1.3");
        assertEveryRefusalNamesTheAlert(TestTls.clientContext("client"), server, "TLSv1.2", "protocol_version");
        assertThat(server.loop().stats().tls().failures(TlsFailure.PROTOCOL)).isEqualTo(ROUNDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aServerRefusedByOurDialerReadsTheDialersAlertEveryTime(String protocol) throws Exception {
        // The other way round: a JDK server whose certificate our dialer does not trust.
        SSLServerSocket ss = (SSLServerSocket) TestTls.serverContext("untrusted")
                .getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        net.closeLater(ss);
        ss.setEnabledProtocols(new String[] {protocol});
        Dialer d =
                net.dialer(Option.tls(TlsConfig.client(TestTls.clientContext()).build()));
        for (int i = 0; i < 20; i++) {
            CompletableFuture<Throwable> serverSide = CompletableFuture.supplyAsync(
                    () -> {
                        try (SSLSocket s = (SSLSocket) ss.accept()) {
                            s.setSoTimeout(10_000);
                            s.startHandshake();
                            return new AssertionError("the handshake completed");
                        } catch (IOException e) {
                            return e;
                        }
                    },
                    net.exec());
            assertThatThrownBy(() -> d.dialConnection("tcp", "localhost:" + ss.getLocalPort(), Duration.ofSeconds(5)))
                    .isInstanceOf(SSLHandshakeException.class);
            Throwable t = serverSide.get(10, TimeUnit.SECONDS);
            assertThat(t)
                    .as("round %d: %s", i, t)
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("certificate_unknown");
        }
        assertThat(d.stats().tls().failures(TlsFailure.CERTIFICATE)).isEqualTo(20);
        await().atMost(Duration.ofSeconds(10)).until(() -> d.stats().connectionsActive() == 0);
    }

    /** A TLS 1.2 client refused in its handshake, over {@code plain} (left open by the refusal). */
    private static void refuseOver(Socket plain, int port) throws IOException {
        SSLSocket s =
                (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket(plain, "localhost", port, false);
        s.setEnabledProtocols(new String[] {"TLSv1.2"});
        assertThatThrownBy(s::startHandshake)
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageMatching(".*Received fatal alert: (" + CERTIFICATE_ALERTS + ")");
    }

    @Test
    void aClientThatFloodsAfterItsRefusalIsCutOffAtTheByteBound() throws Exception {
        Server server = mutualTlsServer();
        int baseline = AlertLinger.lingering();
        Socket plain = net.socket(server.port());
        refuseOver(plain, server.port());
        AtomicLong written = new AtomicLong();
        CompletableFuture<IOException> flood = CompletableFuture.supplyAsync(
                () -> {
                    byte[] garbage = new byte[4096];
                    Arrays.fill(garbage, (byte) 0x5a);
                    try {
                        OutputStream out = plain.getOutputStream();
                        for (; ; ) {
                            out.write(garbage);
                            written.addAndGet(garbage.length);
                        }
                    } catch (IOException e) {
                        return e; // the linger ended: reset
                    }
                },
                net.exec());
        // Cut off by the byte bound, long before the time bound could matter to a flood.
        IOException end = flood.get(20, TimeUnit.SECONDS);
        assertThat(end).isNotNull();
        assertThat(written.get()).isGreaterThanOrEqualTo(AlertLinger.MAX_DISCARD - 4096L);
        await().atMost(Duration.ofSeconds(5)).until(() -> AlertLinger.lingering() == baseline);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().tls().failures(TlsFailure.CERTIFICATE)).isEqualTo(1);
    }

    @Test
    void aClientThatTricklesAfterItsRefusalIsClosedAtTheTimeBound() throws Exception {
        Server server = mutualTlsServer();
        int baseline = AlertLinger.lingering();
        Socket plain = net.socket(server.port());
        refuseOver(plain, server.port());
        long refusedAt = System.nanoTime();
        // The server counts the linger just after it wrote the alert the client has read.
        await().atMost(Duration.ofSeconds(5)).until(() -> AlertLinger.lingering() == baseline + 1);
        // The alert was followed by FIN: the client's input ends there.
        assertThat(plain.getInputStream().read()).isEqualTo(-1);
        // A byte every 20 ms: activity does not move the deadline.
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        net.closeLater(timer::shutdownNow);
        CompletableFuture<IOException> trickle = new CompletableFuture<>();
        timer.scheduleAtFixedRate(
                () -> {
                    try {
                        plain.getOutputStream().write(0x5a);
                    } catch (IOException e) {
                        trickle.complete(e);
                        throw new IllegalStateException("stop", e); // ends the schedule
                    }
                },
                0,
                20,
                TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> AlertLinger.lingering() == baseline);
        long lingered = System.nanoTime() - refusedAt;
        assertThat(lingered)
                .as("closed at the time bound, not before half of it")
                .isGreaterThanOrEqualTo(AlertLinger.LINGER_NANOS / 2)
                .isLessThan(AlertLinger.LINGER_NANOS + TimeUnit.SECONDS.toNanos(5));
        // The socket is closed now: the trickle runs into a reset.
        assertThat(trickle.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(server.loop().stats().connectionsActive()).isZero();
    }

    /** A ClientHello that offers TLS 1.2 only: refused with protocol_version by a TLS 1.3 server. */
    private static byte[] tls12ClientHello() throws IOException {
        SSLEngine e = TestTls.clientContext().createSSLEngine("localhost", 443);
        e.setUseClientMode(true);
        e.setEnabledProtocols(new String[] {"TLSv1.2"});
        ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
        e.beginHandshake();
        e.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    @Test
    void aThousandRefusedAtOnceEachReadTheAlertAndLeaveNothingBehind() throws Exception {
        Server server = mutualTlsServer("TLSv1.3");
        int baseline = AlertLinger.lingering();
        long blocksBefore = CipherBlocks.shared().outstandingBytes();
        long nodesBefore = BufferPool.defaultPool().stats().outstandingNodes();
        byte[] hello = tls12ClientHello();
        int n = 1000;
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = net.socket(server.port());
            s.getOutputStream().write(hello);
            sockets.add(s);
        }
        // The alert (a plaintext record: alert, TLS 1.2, 2 bytes, fatal, protocol_version), then
        // FIN, although each peer writes more after it (what would make a plain close a reset).
        byte[] alert = {21, 3, 3, 0, 2, 2, 70};
        for (Socket s : sockets) {
            InputStream in = s.getInputStream();
            assertThat(in.readNBytes(alert.length)).isEqualTo(alert);
            s.getOutputStream().write(new byte[2048]);
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(server.loop().stats().tls().failures(TlsFailure.PROTOCOL)).isEqualTo(n);
        // The connections are finished while their sockets linger: no connection, no buffer.
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(CipherBlocks.shared().outstandingBytes()).isLessThanOrEqualTo(blocksBefore);
        assertThat(BufferPool.defaultPool().stats().outstandingNodes()).isLessThanOrEqualTo(nodesBefore);
        // Half of the peers close (their FIN ends the linger), the rest are closed at the time bound.
        for (int i = 0; i < n; i += 2) {
            sockets.get(i).close();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> AlertLinger.lingering() == baseline);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> net.group().stats().registrations() == 1); // the listener only
    }
}
