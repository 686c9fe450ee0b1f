package io.netpoll.spring.autoconfigure;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.EventLoop;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.WatchBufferPools;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.ClientAuth;
import io.netpoll.tls.TlsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.net.ssl.SSLSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link NetpollSslAutoConfiguration}: PEM bundles from the test certificates
 * (netpoll-core's test-jar), servers and the dialer on 127.0.0.1.
 */
@Timeout(60)
class NetpollSslAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = engine(new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    SslAutoConfiguration.class,
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollSslAutoConfiguration.class))
            .withPropertyValues(
                    "netpoll.server.address=127.0.0.1",
                    "netpoll.server.port=0",
                    "spring.ssl.bundle.pem.server.keystore.certificate=classpath:tls/localhost.pem",
                    "spring.ssl.bundle.pem.server.keystore.private-key=classpath:tls/localhost.key",
                    "spring.ssl.bundle.pem.server.truststore.certificate=classpath:tls/ca.pem",
                    "spring.ssl.bundle.pem.client.truststore.certificate=classpath:tls/ca.pem"));

    /**
     * The TLS engine of these tests: the starter's default ({@code auto}: OpenSSL, netty-tcnative
     * being on the test classpath); {@link NetpollSslAutoConfigurationOnTheJdkEngineTests} runs them on the JDK's.
     */
    ApplicationContextRunner engine(ApplicationContextRunner runner) {
        return runner;
    }

    @Test
    void aServerWithABundleSpeaksTlsToTheDialerWithABundle() {
        this.contextRunner
                .withUserConfiguration(Handler.class)
                .withPropertyValues(
                        "netpoll.server.ssl.bundle=server",
                        "netpoll.server.ssl.handshake-timeout=3s",
                        "netpoll.dialer.ssl.bundle=client")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    TlsConfig serverTls =
                            context.getBean(EventLoop.class).config().tls();
                    assertThat(serverTls).isNotNull();
                    assertThat(serverTls.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(serverTls.clientAuth()).isEqualTo(ClientAuth.NONE);
                    int port = context.getEnvironment().getProperty("local.netpoll.server.port", Integer.class);
                    Dialer dialer = context.getBean(Dialer.class);
                    try (Connection c = dialer.dialConnection("tcp", "localhost:" + port, Duration.ofSeconds(5))) {
                        assertThat(c.tlsSession()).isNotNull();
                        c.writer().writeString("hello");
                        c.writer().flush();
                        assertThat(c.reader().readString(5)).isEqualTo("hello");
                        c.reader().release();
                    }
                });
    }

    @Test
    void applicationProtocolsAreNegotiatedByAlpnWithTheDialerAndWithTheJdkClient() {
        this.contextRunner
                .withUserConfiguration(Handler.class)
                .withPropertyValues(
                        "netpoll.server.ssl.bundle=server",
                        "netpoll.server.ssl.application-protocols=kv/1,redis",
                        "netpoll.dialer.ssl.bundle=client",
                        "netpoll.dialer.ssl.application-protocols=redis,other")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    EventLoop loop = context.getBean(EventLoop.class);
                    int port = context.getEnvironment().getProperty("local.netpoll.server.port", Integer.class);
                    Dialer dialer = context.getBean(Dialer.class);
                    try (Connection c = dialer.dialConnection("tcp", "localhost:" + port, Duration.ofSeconds(5))) {
                        assertThat(c.tlsSession().applicationProtocol())
                                .as("the server's first choice among the dialer's offers")
                                .isEqualTo("redis");
                        c.writer().writeString("alpn");
                        c.writer().flush();
                        assertThat(c.reader().readString(4)).isEqualTo("alpn");
                        c.reader().release();
                    }
                    try (SSLSocket s = client(port, "other", "kv/1")) {
                        assertThat(echo(s, "kv")).isEqualTo("kv");
                        assertThat(s.getApplicationProtocol()).isEqualTo("kv/1");
                    }
                    boolean jdkEngine = loop.config().tls().contexts() != null;
                    if (jdkEngine) {
                        // The JDK's engine refuses a client that offers none of the server's protocols.
                        assertThatThrownBy(() -> {
                                    try (SSLSocket s = client(port, "h2")) {
                                        echo(s, "x");
                                    }
                                })
                                .isInstanceOf(javax.net.ssl.SSLException.class);
                    } else {
                        // OpenSSL's server goes on without a protocol.
                        try (SSLSocket s = client(port, "h2")) {
                            assertThat(echo(s, "no alpn")).isEqualTo("no alpn");
                            assertThat(s.getApplicationProtocol()).isEmpty();
                        }
                    }
                });
    }

    @Test
    void aNamedServerTakesItsOwnBundleAndClientAuth() {
        this.contextRunner
                .withUserConfiguration(NamedHandler.class)
                .withPropertyValues(
                        "netpoll.servers.admin.address=127.0.0.1",
                        "netpoll.servers.admin.port=0",
                        "netpoll.servers.admin.ssl.bundle=server",
                        "netpoll.servers.admin.ssl.client-auth=need")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    EventLoop loop =
                            context.getBean(NetpollServerBeanRegistrar.eventLoopBeanName("admin"), EventLoop.class);
                    assertThat(loop.config().tls().clientAuth()).isEqualTo(ClientAuth.NEED);
                });
    }

    @Test
    void aReloadedBundleServesNewConnectionsWhileOpenOnesKeepWorking() throws Exception {
        this.contextRunner
                .withUserConfiguration(Handler.class)
                .withPropertyValues("netpoll.server.ssl.bundle=server")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    int port = context.getEnvironment().getProperty("local.netpoll.server.port", Integer.class);
                    try (SSLSocket before = client(port)) {
                        assertThat(echo(before, "one")).isEqualTo("one");
                        assertThat(subject(before)).contains("localhost");
                        SslBundle rotated = SslBundle.of(new PemSslStoreBundle(
                                PemSslStoreDetails.forCertificate("classpath:tls/other-name.pem")
                                        .withPrivateKey("classpath:tls/other-name.key"),
                                null));
                        ((SslBundleRegistry) context.getBean(SslBundles.class)).updateBundle("server", rotated);
                        try (SSLSocket after = client(port)) {
                            assertThat(echo(after, "two")).isEqualTo("two");
                            assertThat(subject(after)).contains("other");
                        }
                        // The connection made before the rotation keeps its session.
                        assertThat(echo(before, "three")).isEqualTo("three");
                    }
                });
    }

    @Test
    void aMissingBundleFailsStartupSayingWhatToFix() {
        this.contextRunner
                .withUserConfiguration(Handler.class)
                .withPropertyValues("netpoll.server.ssl.bundle=nope")
                .run((context) -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = NetpollAutoConfigurationTests.analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription())
                            .contains("netpoll.server.ssl.bundle")
                            .contains("'nope'");
                    assertThat(analysis.getAction()).contains("spring.ssl.bundle.pem.nope");
                });
    }

    @Test
    void aMissingDialerBundleFailsStartupToo() {
        this.contextRunner
                .withPropertyValues("netpoll.dialer.ssl.bundle=absent")
                .run((context) -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = NetpollAutoConfigurationTests.analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription()).contains("netpoll.dialer.ssl.bundle");
                });
    }

    private static SSLSocket client(int port, String... applicationProtocols) throws Exception {
        // Trusts the test CA; no host name check (other-name.pem names other.invalid).
        SSLSocket s = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket();
        if (applicationProtocols.length > 0) {
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(applicationProtocols);
            s.setSSLParameters(p);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    private static String echo(SSLSocket s, String text) throws Exception {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.US_ASCII);
    }

    private static String subject(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0])
                        .getSubjectX500Principal()
                        .getName()
                + ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectAlternativeNames();
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
    static class NamedHandler {

        @Bean
        @NetpollHandler(server = "admin")
        EchoHandler adminHandler() {
            return new EchoHandler();
        }
    }
}
