package io.netpoll.spring.autoconfigure;

import io.netpoll.EventLoop;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.tls.TlsConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link NetpollSslAutoConfigurationTests} with {@code ssl.provider=jdk}: the same tests on the JDK's engine (the
 * starter's default, {@code auto}, is OpenSSL in these tests, netty-tcnative being on the test
 * classpath).
 */
class NetpollSslAutoConfigurationOnTheJdkEngineTests extends NetpollSslAutoConfigurationTests {

    @Override
    ApplicationContextRunner engine(ApplicationContextRunner runner) {
        return runner.withPropertyValues("netpoll.server.ssl.provider=jdk", "netpoll.dialer.ssl.provider=jdk");
    }

    @Test
    void theTlsServerRunsOnTheJdkEngine() {
        engine(new ApplicationContextRunner()
                        .withConfiguration(AutoConfigurations.of(
                                SslAutoConfiguration.class,
                                NetpollAutoConfiguration.class,
                                NetpollServerAutoConfiguration.class,
                                NetpollSslAutoConfiguration.class))
                        .withUserConfiguration(JdkEngineHandler.class)
                        .withPropertyValues(
                                "netpoll.server.address=127.0.0.1",
                                "netpoll.server.port=0",
                                "netpoll.server.ssl.bundle=server",
                                "spring.ssl.bundle.pem.server.keystore.certificate=classpath:tls/localhost.pem",
                                "spring.ssl.bundle.pem.server.keystore.private-key=classpath:tls/localhost.key"))
                .run((context) -> {
                    List<TlsConfig> tls = context.getBeansOfType(EventLoop.class).values().stream()
                            .map((loop) -> loop.config().tls())
                            .filter(Objects::nonNull)
                            .toList();
                    assertThat(tls).hasSize(1);
                    assertThat(tls).allMatch((t) -> t.contexts() != null && !t.prefersDirectBuffers());
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class JdkEngineHandler {

        @Bean
        @NetpollHandler
        EchoHandler handler() {
            return new EchoHandler();
        }
    }
}
