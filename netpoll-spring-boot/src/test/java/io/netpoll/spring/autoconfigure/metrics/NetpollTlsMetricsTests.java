package io.netpoll.spring.autoconfigure.metrics;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.autoconfigure.NetpollAutoConfiguration;
import io.netpoll.spring.autoconfigure.NetpollServerAutoConfiguration;
import io.netpoll.spring.autoconfigure.NetpollSslAutoConfiguration;
import io.netpoll.spring.autoconfigure.health.NetpollHealthContributorAutoConfiguration;
import io.netpoll.spring.metrics.NetpollMeters;
import io.netpoll.spring.metrics.NetpollMetrics;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.WatchBufferPools;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.TlsFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The TLS meters ({@link NetpollMetrics}, {@code netpoll.*.tls.*}) and the {@code tls} health detail, with real
 * contexts, real PEM bundles (netpoll-core's test certificates) and real TLS connections on
 * 127.0.0.1: a server that speaks TLS next to one that does not, handshakes that succeed and fail
 * in the ways a peer can make them fail.
 */
@Timeout(60)
class NetpollTlsMetricsTests {

    private final ApplicationContextRunner contextRunner = engine(new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    SslAutoConfiguration.class,
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollSslAutoConfiguration.class,
                    NetpollMetricsAutoConfiguration.class,
                    NetpollHealthContributorAutoConfiguration.class,
                    HealthContributorAutoConfiguration.class))
            .withUserConfiguration(Registry.class, Handlers.class)
            .withPropertyValues(
                    "netpoll.servers.secure.address=127.0.0.1",
                    "netpoll.servers.secure.port=0",
                    "netpoll.servers.secure.ssl.bundle=server",
                    "netpoll.servers.plain.address=127.0.0.1",
                    "netpoll.servers.plain.port=0",
                    "spring.ssl.bundle.pem.server.keystore.certificate=classpath:tls/localhost.pem",
                    "spring.ssl.bundle.pem.server.keystore.private-key=classpath:tls/localhost.key",
                    "spring.ssl.bundle.pem.server.truststore.certificate=classpath:tls/ca.pem",
                    "spring.ssl.bundle.pem.client.truststore.certificate=classpath:tls/ca.pem"));

    /**
     * The TLS engine of these tests: the starter's default ({@code auto}: OpenSSL, netty-tcnative
     * being on the test classpath); {@link NetpollTlsMetricsOnTheJdkEngineTests} runs them on the JDK's.
     */
    ApplicationContextRunner engine(ApplicationContextRunner runner) {
        return runner;
    }

    @Test
    void aTlsServerCountsHandshakesTheirTimeAndFailuresByReasonAndAPlaintextServerHasNoTlsMeters() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasNotFailed();
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            int port = port(context, "secure");
            assertThat(handshakes(registry, "secure", "success")).isZero();
            for (TlsFailure reason : TlsFailure.values()) {
                assertThat(failures(registry, "secure", reason))
                        .as("every reason registered up front")
                        .isZero();
            }
            for (NetpollMeters meter : NetpollMeters.values()) {
                if (meter.getName().startsWith("netpoll.server.tls.")) {
                    assertThat(registry.find(meter.getName())
                                    .tag("server", "secure")
                                    .meters())
                            .as(meter.getName())
                            .isNotEmpty();
                }
            }
            assertThat(registry.find("netpoll.server.tls.handshakes")
                            .tag("server", "plain")
                            .meters())
                    .as("a plaintext server has no TLS meters")
                    .isEmpty();
            assertThat(registry.find("netpoll.server.connections.active")
                            .tag("server", "plain")
                            .meters())
                    .isNotEmpty();

            // Two handshakes that complete.
            for (int i = 0; i < 2; i++) {
                try (SSLSocket s = client(port)) {
                    assertThat(echo(s, "ping")).isEqualTo("ping");
                }
            }
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(handshakes(registry, "secure", "success"))
                            .isEqualTo(2));
            FunctionTimer duration = registry.get("netpoll.server.tls.handshake.duration")
                    .tag("server", "secure")
                    .functionTimer();
            assertThat(duration.count()).isEqualTo(2);
            assertThat(duration.totalTime(TimeUnit.NANOSECONDS)).isPositive();
            assertThat(duration.getId().getBaseUnit()).isEqualTo("seconds");

            // A peer that sends an HTTP request instead of a ClientHello: a protocol failure.
            try (Socket garbage = new Socket()) {
                garbage.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                garbage.setSoTimeout(20_000);
                garbage.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                garbage.getOutputStream().flush();
                drainUntilClosed(garbage.getInputStream());
            }
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(failures(registry, "secure", TlsFailure.PROTOCOL))
                            .isEqualTo(1));

            // A peer that connects and leaves in the middle of the handshake.
            try (Socket leaves = new Socket()) {
                leaves.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                byte[] hello = clientHello(port);
                leaves.getOutputStream().write(hello, 0, hello.length / 2);
                leaves.getOutputStream().flush();
            }
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(failures(registry, "secure", TlsFailure.PEER_CLOSED))
                            .isEqualTo(1));
            assertThat(handshakes(registry, "secure", "failure")).isEqualTo(2);
            assertThat(handshakes(registry, "secure", "success")).isEqualTo(2);
            assertThat(failures(registry, "secure", TlsFailure.CERTIFICATE)).isZero();
        });
    }

    @Test
    void aServerThatNeedsClientCertificatesCountsAClientWithoutOneAsACertificateFailure() {
        this.contextRunner
                .withPropertyValues("netpoll.servers.secure.ssl.client-auth=need")
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    int port = port(context, "secure");
                    assertThatThrownBy(() -> {
                                try (SSLSocket s = client(port)) {
                                    echo(s, "ping");
                                }
                            })
                            .isInstanceOf(java.io.IOException.class);
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> assertThat(failures(registry, "secure", TlsFailure.CERTIFICATE))
                                    .isEqualTo(1));
                    assertThat(handshakes(registry, "secure", "failure")).isEqualTo(1);
                    assertThat(handshakes(registry, "secure", "success")).isZero();
                });
    }

    @Test
    void theDialerWithABundleHasItsOwnTlsMeters() {
        this.contextRunner
                .withPropertyValues("netpoll.dialer.ssl.bundle=client")
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    Dialer dialer = context.getBean(Dialer.class);
                    try (Connection c = dialer.dialConnection(
                            "tcp", "localhost:" + port(context, "secure"), Duration.ofSeconds(5))) {
                        c.writer().writeString("hi");
                        c.writer().flush();
                        assertThat(c.reader().readString(2)).isEqualTo("hi");
                        c.reader().release();
                    }
                    // The dial returned after the handshake, so the counter is already there.
                    assertThat(registry.get("netpoll.dialer.tls.handshakes")
                                    .tag("outcome", "success")
                                    .functionCounter()
                                    .count())
                            .isEqualTo(1);
                    // Dialing the plaintext server: the handshake fails on the client.
                    assertThatThrownBy(() -> dialer.dialConnection(
                                            "tcp", "localhost:" + port(context, "plain"), Duration.ofSeconds(5))
                                    .close())
                            .isInstanceOf(SSLException.class);
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> assertThat(registry.get("netpoll.dialer.tls.handshakes")
                                            .tag("outcome", "failure")
                                            .functionCounter()
                                            .count())
                                    .isEqualTo(1));
                    assertThat(registry.get("netpoll.dialer.tls.handshake.duration")
                                    .functionTimer()
                                    .count())
                            .isEqualTo(1);
                    assertThat(Arrays.stream(TlsFailure.values())
                                    .mapToDouble((reason) -> registry.get("netpoll.dialer.tls.failures")
                                            .tag("reason", NetpollMeters.TlsTags.reason(reason))
                                            .functionCounter()
                                            .count())
                                    .sum())
                            .isEqualTo(1);
                });
    }

    @Test
    void aDialerWithoutTlsHasNoTlsMeters() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(Dialer.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.find("netpoll.dialer.tls.handshakes").meters()).isEmpty();
        });
    }

    @Test
    void theMetersGoWithTheContext() {
        MeterRegistry[] registry = new MeterRegistry[1];
        this.contextRunner.run((context) -> {
            registry[0] = context.getBean(MeterRegistry.class);
            assertThat(tlsMeters(registry[0])).isNotEmpty();
        });
        assertThat(tlsMeters(registry[0])).isEmpty();
    }

    @Test
    void theHealthDetailsSayWhichServersSpeakTls() {
        this.contextRunner.run((context) -> {
            CompositeHealthContributor composite =
                    context.getBean("netpollHealthContributor", CompositeHealthContributor.class);
            Health secure = ((HealthIndicator) composite.getContributor("secure")).health();
            Health plain = ((HealthIndicator) composite.getContributor("plain")).health();
            assertThat(secure.getDetails()).containsEntry("tls", true);
            assertThat(plain.getDetails()).containsEntry("tls", false);
        });
    }

    private static java.util.List<Meter> tlsMeters(MeterRegistry registry) {
        return registry.getMeters().stream()
                .filter((m) -> m.getId().getName().contains(".tls."))
                .toList();
    }

    private static int port(ConfigurableApplicationContext context, String server) {
        return context.getEnvironment().getProperty("local.netpoll.server." + server + ".port", Integer.class);
    }

    private static double handshakes(MeterRegistry registry, String server, String outcome) {
        return registry.get("netpoll.server.tls.handshakes")
                .tag("server", server)
                .tag("outcome", outcome)
                .functionCounter()
                .count();
    }

    private static double failures(MeterRegistry registry, String server, TlsFailure reason) {
        return registry.get("netpoll.server.tls.failures")
                .tag("server", server)
                .tag("reason", NetpollMeters.TlsTags.reason(reason))
                .functionCounter()
                .count();
    }

    private static SSLSocket client(int port) throws Exception {
        SSLSocket s = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    private static String echo(SSLSocket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.US_ASCII);
    }

    private static void drainUntilClosed(InputStream in) throws Exception {
        byte[] b = new byte[1024];
        try {
            while (in.read(b) >= 0) {
                // the server's alert, if any, then its close
            }
        } catch (java.net.SocketException reset) {
            // a reset is a close too
        }
    }

    /** A real ClientHello, as the JDK's engine makes it (the first flight of a client handshake). */
    private static byte[] clientHello(int port) throws Exception {
        javax.net.ssl.SSLEngine engine = TestTls.clientContext().createSSLEngine("localhost", port);
        engine.setUseClientMode(true);
        java.nio.ByteBuffer out =
                java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(java.nio.ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    @Configuration(proxyBeanMethods = false)
    static class Registry {

        @Bean
        SimpleMeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Handlers {

        @Bean
        @NetpollHandler(server = "secure")
        EchoHandler secureHandler() {
            return new EchoHandler();
        }

        @Bean
        @NetpollHandler(server = "plain")
        EchoHandler plainHandler() {
            return new EchoHandler();
        }
    }
}
