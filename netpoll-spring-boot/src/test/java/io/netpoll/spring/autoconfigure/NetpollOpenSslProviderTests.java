package io.netpoll.spring.autoconfigure;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.EventLoop;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.WatchBufferPools;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.TlsConfig;
import io.netpoll.tls.TlsFailure;
import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code netpoll.*.ssl.provider}: servers and the dialer on Netty's OpenSSL (BoringSSL) engine
 * from the same SSL bundles, against the JDK's client and server and {@code openssl s_client},
 * on 127.0.0.1; the failure analysis when OpenSSL is asked for and missing; {@code auto}.
 * Every test ends with no engine left unreleased (native memory).
 */
@Timeout(120)
class NetpollOpenSslProviderTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    SslAutoConfiguration.class,
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollSslAutoConfiguration.class))
            .withUserConfiguration(Handler.class)
            .withPropertyValues(
                    "netpoll.server.address=127.0.0.1",
                    "netpoll.server.port=0",
                    "netpoll.server.ssl.bundle=server",
                    "spring.ssl.bundle.pem.server.keystore.certificate=classpath:tls/localhost.pem",
                    "spring.ssl.bundle.pem.server.keystore.private-key=classpath:tls/localhost.key",
                    "spring.ssl.bundle.pem.server.truststore.certificate=classpath:tls/ca.pem",
                    "spring.ssl.bundle.pem.client.truststore.certificate=classpath:tls/ca.pem");

    @TempDir
    Path dir;

    @Test
    void openSslIsAvailableInTheseTests() {
        assertThat(OpenSsl.unavailabilityCause()).isNull();
        assertThat(OpenSsl.isAvailable()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void anOpenSslServerEchoesToTheJdkClient(String protocol) {
        this.contextRunner
                .withPropertyValues("netpoll.server.ssl.provider=openssl")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    EventLoop loop = context.getBean(EventLoop.class);
                    OpenSslEngines engines = openSsl(loop.config().tls());
                    assertThat(loop.config().tls().prefersDirectBuffers()).isTrue();
                    int port = port(context);
                    try (SSLSocket s = client(port, protocol, TestTls.clientContext())) {
                        assertThat(echo(s, "hello over " + protocol)).isEqualTo("hello over " + protocol);
                        assertThat(s.getSession().getProtocol()).isEqualTo(protocol);
                        assertThat(subject(s)).contains("localhost");
                        assertThat(engines.outstanding()).isEqualTo(1);
                    }
                    await().atMost(Duration.ofSeconds(10)).until(() -> engines.outstanding() == 0);
                    assertThat(loop.stats().tls().handshakes()).isEqualTo(1);
                    assertThat(loop.stats().tls().failures(TlsFailure.TRUNCATION))
                            .isZero();
                });
    }

    @Test
    void anOpenSslServerEchoesSixteenMiBBothWaysAtOnce() {
        this.contextRunner
                .withPropertyValues("netpoll.server.ssl.provider=openssl")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    OpenSslEngines engines =
                            openSsl(context.getBean(EventLoop.class).config().tls());
                    int size = 16 << 20;
                    byte[] payload = new byte[size];
                    for (int i = 0; i < size; i++) {
                        payload[i] = (byte) (i * 31 + (i >>> 13));
                    }
                    try (SSLSocket s = client(port(context), "TLSv1.3", TestTls.clientContext())) {
                        // Written while the echo is read: neither side's buffers can hold it all.
                        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                            try {
                                for (int at = 0; at < size; at += 1 << 20) {
                                    s.getOutputStream().write(payload, at, 1 << 20);
                                }
                                s.getOutputStream().flush();
                            } catch (IOException ex) {
                                throw new RuntimeException(ex);
                            }
                        });
                        byte[] back = s.getInputStream().readNBytes(size);
                        writing.get(60, TimeUnit.SECONDS);
                        assertThat(back).isEqualTo(payload);
                    }
                    await().atMost(Duration.ofSeconds(10)).until(() -> engines.outstanding() == 0);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void opensslSClientGetsAnEchoFromAnOpenSslServer(String protocol) {
        this.contextRunner
                .withPropertyValues("netpoll.server.ssl.provider=openssl")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    EventLoop loop = context.getBean(EventLoop.class);
                    OpenSslEngines engines = openSsl(loop.config().tls());
                    Path ca = TestTls.copyTo(this.dir, "ca.pem");
                    Path out = this.dir.resolve("s_client.out");
                    Path err = this.dir.resolve("s_client.err");
                    Process openssl = new ProcessBuilder(
                                    "openssl",
                                    "s_client",
                                    "-connect",
                                    "127.0.0.1:" + port(context),
                                    "-servername",
                                    "localhost",
                                    "-CAfile",
                                    ca.toString(),
                                    "-verify_return_error",
                                    protocol.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2",
                                    "-quiet",
                                    "-no_ign_eof")
                            .redirectOutput(out.toFile())
                            .redirectError(err.toFile())
                            .start();
                    try {
                        openssl.getOutputStream().write("ping over s_client\n".getBytes(StandardCharsets.US_ASCII));
                        openssl.getOutputStream().flush();
                        await().atMost(Duration.ofSeconds(30))
                                .until(() -> Files.readString(out, StandardCharsets.ISO_8859_1)
                                        .contains("ping over s_client"));
                        openssl.getOutputStream().close(); // s_client then closes with close_notify
                        assertThat(openssl.waitFor(30, TimeUnit.SECONDS))
                                .as("openssl exited")
                                .isTrue();
                        assertThat(openssl.exitValue())
                                .as("s_client: %s", Files.readString(err))
                                .isZero();
                    } finally {
                        openssl.destroyForcibly();
                        openssl.waitFor(30, TimeUnit.SECONDS);
                    }
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> loop.stats().connectionsActive() == 0);
                    assertThat(loop.stats().tls().handshakes()).isEqualTo(1);
                    await().atMost(Duration.ofSeconds(10)).until(() -> engines.outstanding() == 0);
                });
    }

    @Test
    void stalledAndGarbageHandshakesOnOpenSslAreClosedAndTheirEnginesFreed() {
        // The worst neighbours: 200 connections that stall mid-handshake, and one that sends
        // HTTP; each holds a native engine until it is closed, and every one must be freed.
        this.contextRunner
                .withPropertyValues("netpoll.server.ssl.provider=openssl", "netpoll.server.ssl.handshake-timeout=500ms")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    EventLoop loop = context.getBean(EventLoop.class);
                    OpenSslEngines engines = openSsl(loop.config().tls());
                    int port = port(context);
                    List<Socket> stalled = new ArrayList<>();
                    try {
                        for (int i = 0; i < 200; i++) {
                            Socket s = new Socket();
                            stalled.add(s);
                            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                            s.getOutputStream().write(new byte[] {22, 3, 1}); // part of a record header
                        }
                        try (Socket garbage = new Socket()) {
                            garbage.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                            garbage.setSoTimeout(20_000);
                            garbage.getOutputStream()
                                    .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                            garbage.getInputStream().readAllBytes(); // an alert at most, then the end
                        }
                        await().atMost(Duration.ofSeconds(30))
                                .until(() -> loop.stats().tls().failures(TlsFailure.TIMEOUT) == 200);
                        assertThat(loop.stats().tls().failures(TlsFailure.PROTOCOL))
                                .isEqualTo(1);
                        await().atMost(Duration.ofSeconds(10)).until(() -> engines.outstanding() == 0);
                        // And the server still serves.
                        try (SSLSocket s = client(port, "TLSv1.3", TestTls.clientContext())) {
                            assertThat(echo(s, "still here")).isEqualTo("still here");
                        }
                    } finally {
                        for (Socket s : stalled) {
                            s.close();
                        }
                    }
                    await().atMost(Duration.ofSeconds(10)).until(() -> engines.outstanding() == 0);
                });
    }

    @Test
    void mutualTlsOnOpenSslAcceptsAClientCertificateAndRefusesAClientWithout() {
        this.contextRunner
                .withPropertyValues("netpoll.server.ssl.provider=openssl", "netpoll.server.ssl.client-auth=need")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    EventLoop loop = context.getBean(EventLoop.class);
                    OpenSslEngines engines = openSsl(loop.config().tls());
                    int port = port(context);
                    try (SSLSocket s = client(port, "TLSv1.3", TestTls.clientContext("client"))) {
                        assertThat(echo(s, "with a certificate")).isEqualTo("with a certificate");
                    }
                    for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                        try (SSLSocket s = client(port, protocol, TestTls.clientContext())) {
                            // TLS 1.2 refuses in the handshake; TLS 1.3 at the first read after it.
                            assertThatThrownBy(() -> {
                                        s.startHandshake();
                                        echo(s, "without one");
                                    })
                                    .isInstanceOf(IOException.class);
                        }
                    }
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> loop.stats().tls().handshakeFailures() == 2);
                    assertThat(loop.stats().tls().failures(TlsFailure.CERTIFICATE))
                            .as("failures: %s", loop.stats().tls())
                            .isEqualTo(2);
                    await().atMost(Duration.ofSeconds(10)).until(() -> engines.outstanding() == 0);
                });
    }

    @Test
    void aReloadedBundleReachesNewOpenSslConnectionsWhileOpenOnesKeepWorking() {
        this.contextRunner
                .withPropertyValues("netpoll.server.ssl.provider=openssl")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    OpenSslEngines engines =
                            openSsl(context.getBean(EventLoop.class).config().tls());
                    int port = port(context);
                    try (SSLSocket before = client(port, "TLSv1.3", TestTls.clientContext())) {
                        assertThat(echo(before, "one")).isEqualTo("one");
                        assertThat(subject(before)).contains("localhost");
                        SslBundle rotated = SslBundle.of(new PemSslStoreBundle(
                                PemSslStoreDetails.forCertificate("classpath:tls/other-name.pem")
                                        .withPrivateKey("classpath:tls/other-name.key"),
                                null));
                        ((SslBundleRegistry) context.getBean(SslBundles.class)).updateBundle("server", rotated);
                        try (SSLSocket after = client(port, "TLSv1.3", TestTls.clientContext())) {
                            assertThat(echo(after, "two")).isEqualTo("two");
                            assertThat(subject(after)).contains("other");
                        }
                        // The connection made before the rotation keeps its engine, and its context.
                        assertThat(echo(before, "three")).isEqualTo("three");
                    }
                    await().atMost(Duration.ofSeconds(10)).until(() -> engines.outstanding() == 0);
                });
    }

    @Test
    void anOpenSslDialerTalksToAJdkServer() {
        this.contextRunner
                .withPropertyValues(
                        "netpoll.server.ssl.provider=jdk",
                        "netpoll.dialer.ssl.bundle=client",
                        "netpoll.dialer.ssl.provider=openssl")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    EventLoop loop = context.getBean(EventLoop.class);
                    assertThat(loop.config().tls().contexts())
                            .as("the server's JDK engine")
                            .isNotNull();
                    Dialer dialer = context.getBean(Dialer.class);
                    OpenSslEngines engines = openSsl(dialer.config().tls());
                    try (Connection c =
                            dialer.dialConnection("tcp", "localhost:" + port(context), Duration.ofSeconds(5))) {
                        assertThat(c.tlsSession().protocol()).isEqualTo("TLSv1.3");
                        assertThat(c.tlsSession().peerCertificates()).isNotEmpty();
                        c.writer().writeString("from openssl");
                        c.writer().flush();
                        assertThat(c.reader().readString(12)).isEqualTo("from openssl");
                        c.reader().release();
                    }
                    // Host names are verified on the OpenSSL engine too: the server now presents a
                    // certificate for other.invalid, from the same trusted CA.
                    ((SslBundleRegistry) context.getBean(SslBundles.class))
                            .updateBundle(
                                    "server",
                                    SslBundle.of(new PemSslStoreBundle(
                                            PemSslStoreDetails.forCertificate("classpath:tls/other-name.pem")
                                                    .withPrivateKey("classpath:tls/other-name.key"),
                                            null)));
                    Throwable refused = org.assertj.core.api.Assertions.catchThrowable(
                            () -> dialer.dialConnection("tcp", "localhost:" + port(context), Duration.ofSeconds(5)));
                    assertThat(refused).isInstanceOf(SSLException.class);
                    assertThat(dialer.stats().tls().handshakes()).isEqualTo(1);
                    assertThat(dialer.stats().tls().handshakeFailures()).isEqualTo(1);
                    // The dialer knows why: Netty's engine throws its stored failure only from the
                    // wrap after the one that produced the alert (whose result still says NEED_WRAP).
                    assertThat(dialer.stats().tls().failures(TlsFailure.CERTIFICATE))
                            .as("the dialer's reason")
                            .isEqualTo(1);
                    // The OpenSSL engine sent an alert (internal_error: the JDK server counts a
                    // protocol failure, not a certificate one) and both sides count the failure.
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> loop.stats().tls().handshakeFailures() == 1);
                    await().atMost(Duration.ofSeconds(10)).until(() -> engines.outstanding() == 0);
                });
    }

    @Test
    void autoPicksOpenSslWhenItIsAvailable() {
        this.contextRunner
                .withPropertyValues("netpoll.dialer.ssl.bundle=client")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(EventLoop.class).config().tls().engineFactory())
                            .isInstanceOf(OpenSslEngines.class);
                    assertThat(context.getBean(Dialer.class).config().tls().engineFactory())
                            .isInstanceOf(OpenSslEngines.class);
                });
    }

    @Test
    void autoAndJdkUseTheJdkEngineWithoutNetty() {
        this.contextRunner
                .withClassLoader(new FilteredClassLoader(OpenSsl.class))
                .withPropertyValues("netpoll.dialer.ssl.bundle=client")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    TlsConfig server = context.getBean(EventLoop.class).config().tls();
                    assertThat(server.engineFactory()).isNotInstanceOf(OpenSslEngines.class);
                    assertThat(server.contexts()).isNotNull();
                    assertThat(server.prefersDirectBuffers()).isFalse();
                    assertThat(context.getBean(Dialer.class).config().tls().contexts())
                            .isNotNull();
                    try (SSLSocket s = client(port(context), "TLSv1.3", TestTls.clientContext())) {
                        assertThat(echo(s, "jdk")).isEqualTo("jdk");
                    }
                });
        this.contextRunner.withPropertyValues("netpoll.server.ssl.provider=jdk").run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(EventLoop.class).config().tls().contexts())
                    .isNotNull();
        });
    }

    @Test
    void openSslWithoutNettyFailsStartupSayingWhichDependencyToAdd() {
        this.contextRunner
                .withClassLoader(new FilteredClassLoader(OpenSsl.class))
                .withUserConfiguration(AdminHandler.class)
                .withPropertyValues(
                        "netpoll.servers.admin.address=127.0.0.1",
                        "netpoll.servers.admin.port=0",
                        "netpoll.servers.admin.ssl.bundle=server",
                        "netpoll.servers.admin.ssl.provider=openssl")
                .run((context) -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = NetpollAutoConfigurationTests.analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription())
                            .contains("netpoll.servers.admin.ssl.provider")
                            .contains("openssl");
                    assertThat(analysis.getAction())
                            .contains("io.netty:netty-tcnative-boringssl-static")
                            .contains("io.netty:netty-handler");
                });
        this.contextRunner
                .withClassLoader(new FilteredClassLoader(OpenSsl.class))
                .withPropertyValues("netpoll.dialer.ssl.bundle=client", "netpoll.dialer.ssl.provider=openssl")
                .run((context) -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = NetpollAutoConfigurationTests.analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription()).contains("netpoll.dialer.ssl.provider");
                });
    }

    @Test
    void openSslWhoseNativeLibraryDoesNotLoadFailsStartupWithNettysReason() throws Exception {
        // Netty decides once per JVM whether OpenSSL loads: a JVM of its own, where it does not
        // (Netty's switch for it; a missing netty-tcnative jar gives the same failure path).
        Path outFile = this.dir.resolve("child.out");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dio.netty.handler.ssl.noOpenSsl=true",
                        "-cp",
                        System.getProperty("java.class.path"),
                        OpenSslUnavailable.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(outFile.toFile())
                .start();
        try {
            assertThat(child.waitFor(90, TimeUnit.SECONDS))
                    .as("the child JVM exited")
                    .isTrue();
        } finally {
            child.destroyForcibly();
        }
        String out = Files.readString(outFile);
        assertThat(child.exitValue()).as(out).isZero();
        assertThat(out)
                .contains("DESCRIPTION: 'netpoll.server.ssl.provider' is 'openssl', but OpenSSL is not available")
                .contains("noOpenSsl")
                .contains("ACTION: Add the dependency io.netty:netty-tcnative-boringssl-static")
                .contains("AUTO: jdk engine, echo ok");
    }

    /** The child JVM of the test above: prints the failure analysis, then checks that auto falls back. */
    static final class OpenSslUnavailable {

        public static void main(String[] args) {
            ApplicationContextRunner runner = new NetpollOpenSslProviderTests().contextRunner;
            runner.withPropertyValues("netpoll.server.ssl.provider=openssl").run((context) -> {
                FailureAnalysis analysis = NetpollAutoConfigurationTests.analyze(context.getStartupFailure());
                System.out.println("DESCRIPTION: " + analysis.getDescription());
                System.out.println("ACTION: " + analysis.getAction());
            });
            runner.run((context) -> {
                TlsConfig tls = context.getBean(EventLoop.class).config().tls();
                try (SSLSocket s = client(port(context), "TLSv1.3", TestTls.clientContext())) {
                    System.out.println("AUTO: " + (tls.contexts() != null ? "jdk" : "other") + " engine, echo "
                            + ("hi".equals(echo(s, "hi")) ? "ok" : "failed"));
                }
            });
        }
    }

    private static OpenSslEngines openSsl(TlsConfig tls) {
        assertThat(tls).isNotNull();
        assertThat(tls.engineFactory()).isInstanceOf(OpenSslEngines.class);
        return (OpenSslEngines) tls.engineFactory();
    }

    private static int port(ConfigurableApplicationContext context) {
        return context.getEnvironment().getProperty("local.netpoll.server.port", Integer.class);
    }

    private static SSLSocket client(int port, String protocol, javax.net.ssl.SSLContext context) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {protocol});
        s.setSSLParameters(p);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(30_000);
        return s;
    }

    private static String echo(SSLSocket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        byte[] back = in.readNBytes(text.length());
        if (back.length < text.length()) {
            throw new IOException("closed after " + back.length + " bytes");
        }
        return new String(back, StandardCharsets.US_ASCII);
    }

    private static String subject(SSLSocket s) throws Exception {
        X509Certificate c = (X509Certificate) s.getSession().getPeerCertificates()[0];
        return c.getSubjectX500Principal().getName() + c.getSubjectAlternativeNames();
    }

    @Configuration(proxyBeanMethods = false)
    static class Handler {

        @Bean
        @NetpollHandler
        EchoHandler echoHandler() {
            return new EchoHandler();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class AdminHandler {

        @Bean
        @NetpollHandler(server = "admin")
        EchoHandler adminHandler() {
            return new EchoHandler();
        }
    }
}
