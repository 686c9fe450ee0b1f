package io.netpoll.spring.autoconfigure;

import io.netpoll.Connection;
import io.netpoll.OnPrepare;
import io.netpoll.OnRequest;
import io.netpoll.buffer.Reader;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServerCustomizer;
import io.netpoll.spring.test.WatchBufferPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code netpoll.server.allow-half-closure} and {@code netpoll.servers.<name>.allow-half-closure}:
 * a real context and a client socket that sends, half-closes ({@code shutdownOutput}) and still
 * reads the reply the handler writes after the FIN; without the property that reply never comes;
 * with TLS the property fails startup with a failure analysis that names the keys.
 */
@Timeout(60)
class NetpollHalfClosurePropertyTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
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
                    "spring.ssl.bundle.pem.server.keystore.private-key=classpath:tls/localhost.key");

    @Test
    void theDefaultServerAnswersAfterThePeersFin() {
        this.contextRunner
                .withUserConfiguration(DefaultCounter.class)
                .withPropertyValues("netpoll.server.allow-half-closure=true")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    NetpollServer server = context.getBean(NetpollServer.class);
                    assertThat(server.getEventLoop().config().allowHalfClosure())
                            .isTrue();
                    assertThat(sendHalfCloseAndRead(server.getPort(), "hello netpoll"))
                            .isEqualTo("counted 13\n");
                    assertThat(sendHalfCloseAndRead(server.getPort(), "")).isEqualTo("counted 0\n");
                });
    }

    @Test
    void withoutThePropertyTheConnectionClosesWithoutTheReply() {
        this.contextRunner.withUserConfiguration(DefaultCounter.class).run((context) -> {
            NetpollServer server = context.getBean(NetpollServer.class);
            assertThat(server.getEventLoop().config().allowHalfClosure()).isFalse();
            assertThat(sendHalfCloseAndRead(server.getPort(), "hello"))
                    .as("closed once its input is handled: no call after the FIN")
                    .isEmpty();
        });
    }

    @Test
    void aNamedServerHasItsOwnSetting() {
        this.contextRunner
                .withUserConfiguration(DefaultCounter.class, NamedCounter.class)
                .withPropertyValues(
                        "netpoll.servers.half.address=127.0.0.1",
                        "netpoll.servers.half.port=0",
                        "netpoll.servers.half.allow-half-closure=true")
                .run((context) -> {
                    NetpollServer half = context.getBean("netpollServer.half", NetpollServer.class);
                    NetpollServer plain = context.getBean("netpollServer", NetpollServer.class);
                    assertThat(half.getEventLoop().config().allowHalfClosure()).isTrue();
                    assertThat(plain.getEventLoop().config().allowHalfClosure())
                            .as("named servers do not share the setting")
                            .isFalse();
                    assertThat(sendHalfCloseAndRead(half.getPort(), "abc")).isEqualTo("counted 3\n");
                    assertThat(sendHalfCloseAndRead(plain.getPort(), "abc")).isEmpty();
                });
    }

    @Test
    void withTlsTheDefaultServerFailsStartupNamingTheKeys() {
        this.contextRunner
                .withUserConfiguration(DefaultCounter.class)
                .withPropertyValues("netpoll.server.allow-half-closure=true", "netpoll.server.ssl.bundle=server")
                .run((context) -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(BindValidationException.class);
                    FailureAnalysis analysis = NetpollAutoConfigurationTests.analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription())
                            .contains("netpoll.server.allow-half-closure")
                            .contains("not supported together with TLS")
                            .contains("'server'");
                });
    }

    @Test
    void withTlsANamedServerFailsStartupNamingItsKeys() {
        this.contextRunner
                .withUserConfiguration(NamedCounter.class)
                .withPropertyValues(
                        "netpoll.server.enabled=false",
                        "netpoll.servers.half.port=0",
                        "netpoll.servers.half.allow-half-closure=true",
                        "netpoll.servers.half.ssl.bundle=server")
                .run((context) -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = NetpollAutoConfigurationTests.analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription())
                            .contains("netpoll.servers.half.allow-half-closure")
                            .contains("not supported together with TLS");
                });
    }

    @Test
    void halfClosureFromACustomizerWithTlsFromTheBundleFailsStartupNamingTheServer() {
        this.contextRunner
                .withUserConfiguration(DefaultCounter.class, HalfClosureCustomizer.class)
                .withPropertyValues("netpoll.server.ssl.bundle=server")
                .run((context) -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = NetpollAutoConfigurationTests.analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription())
                            .contains("'default'")
                            .contains("do not work together")
                            .contains("allowHalfClosure");
                    assertThat(analysis.getAction())
                            .contains("netpoll.server.*")
                            .contains("NetpollServerCustomizer");
                });
    }

    /** Sends {@code text}, half-closes, and reads to the end. */
    private static String sendHalfCloseAndRead(int port, String text) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /**
     * Counts what arrives and answers only once the peer has finished (its FIN): possible only
     * while the connection stays open for writing after the FIN.
     */
    static class Counter implements OnRequest<int[]>, OnPrepare<int[]> {

        @Override
        public int[] prepare(Connection connection) {
            return new int[1];
        }

        @Override
        public void onRequest(int[] count, Connection connection) throws Exception {
            boolean finished = connection.isInputShutdown(); // first: the FIN may arrive during the call
            Reader reader = connection.reader();
            int n = reader.len();
            reader.skip(n);
            reader.release();
            count[0] += n;
            if (finished && !connection.isOutputShutdown()) {
                connection.writer().writeString("counted " + count[0] + "\n");
                connection.writer().flush();
                connection.shutdownOutput();
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class DefaultCounter {

        @Bean
        @NetpollHandler
        Counter counter() {
            return new Counter();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class NamedCounter {

        @Bean
        @NetpollHandler("half")
        Counter halfCounter() {
            return new Counter();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class HalfClosureCustomizer {

        @Bean
        NetpollServerCustomizer halfClosure() {
            return (name, config) -> config.allowHalfClosure(true);
        }
    }
}
