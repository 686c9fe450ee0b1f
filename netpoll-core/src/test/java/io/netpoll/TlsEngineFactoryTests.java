package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.TlsConfig;
import io.netpoll.tls.TlsEngineFactory;
import io.netpoll.tls.TlsFailure;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link TlsEngineFactory} on real connections: every engine a connection takes is given back
 * to its factory exactly once, after {@code closeOutbound()}, however the connection ends (a
 * native engine's memory is freed there, and a JDK engine's state is dropped). The factory here
 * hands out the JDK's engines and counts.
 */
class TlsEngineFactoryTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    /** Counts engines made and released; notes a release twice or before closeOutbound. */
    static final class CountingFactory implements TlsEngineFactory {
        final SSLContext context;
        final boolean clientMode;
        final Map<SSLEngine, AtomicInteger> releases = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final AtomicInteger made = new AtomicInteger();
        volatile @Nullable RuntimeException failNext;

        CountingFactory(SSLContext context, boolean clientMode) {
            this.context = context;
            this.clientMode = clientMode;
        }

        @Override
        public SSLEngine newEngine(@Nullable String peerHost, int peerPort) {
            RuntimeException f = failNext;
            if (f != null) {
                failNext = null;
                throw f;
            }
            SSLEngine e = peerHost == null ? context.createSSLEngine() : context.createSSLEngine(peerHost, peerPort);
            e.setUseClientMode(clientMode);
            releases.put(e, new AtomicInteger());
            made.incrementAndGet();
            return e;
        }

        @Override
        public void release(SSLEngine engine) {
            AtomicInteger n = releases.get(engine);
            if (n == null) {
                violations.add("released an engine this factory did not make");
                return;
            }
            if (n.incrementAndGet() > 1) {
                violations.add("released twice");
            }
            if (!engine.isOutboundDone()) {
                violations.add("released before closeOutbound");
            }
        }

        int released() {
            return (int) releases.values().stream().filter(n -> n.get() > 0).count();
        }

        /** Waits until every engine made was released, then checks each was released once. */
        void awaitAllReleased(int expectedMade) {
            await().atMost(Duration.ofSeconds(10)).until(() -> released() == made.get());
            assertThat(made.get()).isEqualTo(expectedMade);
            assertThat(releases.values()).allMatch(n -> n.get() == 1);
            assertThat(violations).isEmpty();
        }
    }

    private static CountingFactory serverEngines() {
        return new CountingFactory(TestTls.serverContext("localhost"), false);
    }

    private SSLSocket jdkClient(int port) throws IOException {
        SSLSocket s = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket("127.0.0.1", port);
        net.closeLater(s);
        s.setSoTimeout(20_000);
        return s;
    }

    private static String echo(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return new String(readFully(s.getInputStream(), text.length()), StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void aCleanCloseByThePeerReleasesTheEngineOnce(HandlerMode mode) throws Exception {
        CountingFactory engines = serverEngines();
        Server server = net.echoServer(
                Option.handlerMode(mode), Option.tls(TlsConfig.server(engines).build()));
        for (int i = 0; i < 3; i++) {
            try (SSLSocket s = jdkClient(server.port())) {
                assertThat(echo(s, "hello")).isEqualTo("hello");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 0);
        engines.awaitAllReleased(3);
        assertThat(server.loop().stats().tls().handshakes()).isEqualTo(3);
    }

    @Test
    void aLocalCloseByTheHandlerReleasesTheEngineOnce() throws Exception {
        CountingFactory engines = serverEngines();
        Server server = net.startServer(
                (ctx, c) -> {
                    TestNet.echo(ctx, c);
                    c.close();
                },
                Option.tls(TlsConfig.server(engines).build()));
        SSLSocket s = jdkClient(server.port());
        assertThat(echo(s, "bye")).isEqualTo("bye");
        assertThat(s.getInputStream().read()).isEqualTo(-1); // close_notify came
        engines.awaitAllReleased(1);
    }

    @Test
    void aHandshakeFailureReleasesTheEngineOnce() throws Exception {
        CountingFactory engines = serverEngines();
        Server server = net.echoServer(Option.tls(TlsConfig.server(engines).build()));
        Socket bad = net.socket(server.port());
        bad.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        bad.getOutputStream().flush();
        InputStream in = bad.getInputStream();
        while (in.read() >= 0) {
            // the engine's alert, then the end
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.loop().stats().tls().failures(TlsFailure.PROTOCOL) == 1);
        engines.awaitAllReleased(1);
    }

    @Test
    void aPeerResetReleasesTheEngineOnce() throws Exception {
        CountingFactory engines = serverEngines();
        Server server = net.echoServer(Option.tls(TlsConfig.server(engines).build()));
        Socket plain = net.socket(server.port());
        SSLSocket s = (SSLSocket)
                TestTls.clientContext().getSocketFactory().createSocket(plain, "localhost", server.port(), false);
        assertThat(echo(s, "before the reset")).isEqualTo("before the reset");
        plain.setSoLinger(true, 0);
        plain.close(); // RST, no close_notify
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 0);
        engines.awaitAllReleased(1);
    }

    @Test
    void aHandshakeTimeoutReleasesTheEngineOnce() throws Exception {
        CountingFactory engines = serverEngines();
        Server server = net.echoServer(Option.tls(TlsConfig.server(engines)
                .handshakeTimeout(Duration.ofMillis(200))
                .build()));
        Socket s = net.socket(server.port());
        s.getOutputStream().write(new byte[] {22, 3, 1}); // part of a record header, then nothing
        s.getOutputStream().flush();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.loop().stats().tls().failures(TlsFailure.TIMEOUT) == 1);
        engines.awaitAllReleased(1);
    }

    @Test
    void aServerShutdownReleasesTheEnginesOfOpenConnections() throws Exception {
        CountingFactory engines = serverEngines();
        Server server = net.echoServer(Option.tls(TlsConfig.server(engines).build()));
        List<SSLSocket> open = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            SSLSocket s = jdkClient(server.port());
            assertThat(echo(s, "open")).isEqualTo("open");
            open.add(s);
        }
        Socket stalled = net.socket(server.port());
        stalled.getOutputStream().write(new byte[] {22, 3, 1}); // mid-handshake at the shutdown
        await().atMost(Duration.ofSeconds(10)).until(() -> engines.made.get() == 6);
        server.loop().shutdown(Duration.ofMillis(200));
        engines.awaitAllReleased(6);
        assertThat(open).hasSize(5);
    }

    @Test
    void theDialerReleasesItsEnginesOnSuccessAndOnAFailedHandshake() throws Exception {
        Server server = net.echoServer(
                Option.tls(TlsConfig.server(TestTls.serverContext("localhost")).build()));
        CountingFactory engines = new CountingFactory(TestTls.clientContext(), true);
        Dialer d = net.dialer(Option.tls(TlsConfig.client(engines).build()));
        try (Connection c = d.dialConnection("tcp", "localhost:" + server.port(), Duration.ofSeconds(5))) {
            c.writer().writeString("hi");
            c.writer().flush();
            assertThat(c.reader().readString(2)).isEqualTo("hi");
            c.reader().release();
        }
        // A server whose certificate names another host: the dial fails its handshake.
        Server other = net.echoServer(
                Option.tls(TlsConfig.server(TestTls.serverContext("other-name")).build()));
        assertThatThrownBy(() -> d.dialConnection("tcp", "localhost:" + other.port(), Duration.ofSeconds(5)))
                .isInstanceOf(SSLHandshakeException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> d.stats().connectionsActive() == 0);
        engines.awaitAllReleased(2);
    }

    @Test
    void aFactoryThatFailsClosesThatConnectionOnlyAndOthersAreServed() throws Exception {
        CountingFactory engines = serverEngines();
        Server server = net.echoServer(Option.tls(TlsConfig.server(engines).build()));
        engines.failNext = new IllegalStateException("no engine for you");
        Socket refused = net.socket(server.port());
        assertThat(refused.getInputStream().read()).isEqualTo(-1);
        try (SSLSocket s = jdkClient(server.port())) {
            assertThat(echo(s, "next")).isEqualTo("next");
        }
        engines.awaitAllReleased(1);
    }

    @Test
    void anEngineThatCannotBeConfiguredIsReleasedByNewEngine() {
        CountingFactory engines = serverEngines();
        TlsConfig config = TlsConfig.server(engines).protocols("TLSv9").build();
        assertThatThrownBy(() -> config.newEngine(null, 0)).isInstanceOf(IllegalArgumentException.class);
        engines.awaitAllReleased(1);

        // A factory that makes engines in the wrong mode is told so; the engine goes back too.
        AtomicInteger wrongReleased = new AtomicInteger();
        TlsEngineFactory wrongMode = new TlsEngineFactory() {
            @Override
            public SSLEngine newEngine(@Nullable String peerHost, int peerPort) {
                return new ClientOnlyEngine();
            }

            @Override
            public void release(SSLEngine engine) {
                wrongReleased.incrementAndGet();
            }
        };
        assertThatThrownBy(() -> TlsConfig.server(wrongMode).build().newEngine(null, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("client-mode engine for a server configuration");
        assertThat(wrongReleased).hasValue(1);
        // And a factory that returns null.
        assertThatThrownBy(() -> TlsConfig.server((h, p) -> null).build().newEngine(null, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned null");
    }

    /** A native-like engine made in client mode that refuses to change it (as Netty's OpenSSL engine does). */
    private static final class ClientOnlyEngine extends SSLEngine {
        @Override
        public void setUseClientMode(boolean mode) {
            if (!mode) {
                throw new UnsupportedOperationException();
            }
        }

        @Override
        public boolean getUseClientMode() {
            return true;
        }

        // Nothing below is reached: the mode check comes first.
        @Override
        public javax.net.ssl.SSLEngineResult wrap(
                java.nio.ByteBuffer[] srcs, int off, int len, java.nio.ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public javax.net.ssl.SSLEngineResult unwrap(
                java.nio.ByteBuffer src, java.nio.ByteBuffer[] dsts, int off, int len) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Runnable getDelegatedTask() {
            return null;
        }

        @Override
        public void closeInbound() {}

        @Override
        public boolean isInboundDone() {
            return true;
        }

        @Override
        public void closeOutbound() {}

        @Override
        public boolean isOutboundDone() {
            return true;
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return new String[0];
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return new String[0];
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {}

        @Override
        public String[] getSupportedProtocols() {
            return new String[0];
        }

        @Override
        public String[] getEnabledProtocols() {
            return new String[0];
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {}

        @Override
        public javax.net.ssl.SSLSession getSession() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void beginHandshake() {}

        @Override
        public javax.net.ssl.SSLEngineResult.HandshakeStatus getHandshakeStatus() {
            return javax.net.ssl.SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
        }

        @Override
        public void setNeedClientAuth(boolean need) {}

        @Override
        public boolean getNeedClientAuth() {
            return false;
        }

        @Override
        public void setWantClientAuth(boolean want) {}

        @Override
        public boolean getWantClientAuth() {
            return false;
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {}

        @Override
        public boolean getEnableSessionCreation() {
            return true;
        }
    }

    @Test
    void theFactorysPreferencesAreVisibleThroughTheConfig() {
        TlsEngineFactory direct = new TlsEngineFactory() {
            @Override
            public SSLEngine newEngine(@Nullable String peerHost, int peerPort) {
                return TestTls.serverContext("localhost").createSSLEngine();
            }

            @Override
            public boolean prefersDirectBuffers() {
                return true;
            }
        };
        TlsConfig config = TlsConfig.server(direct).build();
        assertThat(config.prefersDirectBuffers()).isTrue();
        assertThat(config.engineFactory()).isSameAs(direct);
        assertThat(config.contexts()).isNull();
        TlsConfig jdk = TlsConfig.server(TestTls.serverContext("localhost")).build();
        assertThat(jdk.prefersDirectBuffers()).isFalse();
        assertThat(jdk.contexts()).isNotNull();
        // Releasing a JDK engine is a no-op; a factory's failing release is not thrown.
        jdk.releaseEngine(jdk.newEngine(null, 0));
        TlsConfig throwing = TlsConfig.server(new TlsEngineFactory() {
                    @Override
                    public SSLEngine newEngine(@Nullable String peerHost, int peerPort) {
                        return TestTls.serverContext("localhost").createSSLEngine();
                    }

                    @Override
                    public void release(SSLEngine engine) {
                        throw new IllegalStateException("boom");
                    }
                })
                .build();
        throwing.releaseEngine(throwing.newEngine(null, 0));
    }
}
