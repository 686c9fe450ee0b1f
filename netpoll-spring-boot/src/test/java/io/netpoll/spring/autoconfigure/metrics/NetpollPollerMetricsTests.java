package io.netpoll.spring.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.autoconfigure.NetpollAutoConfiguration;
import io.netpoll.spring.autoconfigure.NetpollServerAutoConfiguration;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.NetpollTestClient;
import io.netpoll.spring.test.WatchBufferPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Per-poller meters ({@code netpoll.poller.tasks.pending}, {@code netpoll.poller.loop.lag}, tag
 * {@code poller}): one per configured poller, and a loop lag that shows a poller held by an
 * inline handler that blocks.
 */
@Timeout(60)
class NetpollPollerMetricsTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollMetricsAutoConfiguration.class))
            .withUserConfiguration(Registry.class, DefaultHandler.class)
            .withPropertyValues("netpoll.server.address=127.0.0.1", "netpoll.server.port=0");

    @Test
    void oneGaugeOfEachPerPoller() {
        this.contextRunner.withPropertyValues("netpoll.poller.count=3").run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.find("netpoll.poller.tasks.pending").gauges()).hasSize(3);
            assertThat(registry.find("netpoll.poller.loop.lag").timeGauges()).hasSize(3);
            assertThat(registry.get("netpoll.poller.tasks.pending")
                            .tag("poller", "2")
                            .gauge()
                            .value())
                    .isZero();
            TimeGauge lag =
                    registry.get("netpoll.poller.loop.lag").tag("poller", "0").timeGauge();
            assertThat(lag.baseTimeUnit()).isEqualTo(TimeUnit.SECONDS);
            assertThat(lag.value()).isNotNegative();
        });
    }

    @Test
    void loopLagShowsAPollerHeldByAnInlineHandler() {
        try (PollerGroup clientGroup = PollerGroup.create(1)) {
            Dialer client = Netpoll.newDialer(Option.pollerGroup(clientGroup));
            this.contextRunner
                    .withPropertyValues("netpoll.poller.count=1", "netpoll.server.handler-mode=inline")
                    .run((context) -> {
                        MeterRegistry registry = context.getBean(MeterRegistry.class);
                        DefaultHandler handler = context.getBean(DefaultHandler.class);
                        NetpollServer server = context.getBean(NetpollServer.class);
                        TimeGauge lag = registry.get("netpoll.poller.loop.lag")
                                .tag("poller", "0")
                                .timeGauge();
                        try (Connection connection = NetpollTestClient.connect(client, server.getPort())) {
                            CompletableFuture<String> reply = async(() -> NetpollTestClient.send(connection, "Slow"));
                            assertThat(handler.slowStarted.await(10, TimeUnit.SECONDS))
                                    .isTrue();
                            lag.value(); // a scrape queues a probe behind the blocked handler
                            await().atMost(Duration.ofSeconds(10)).until(() -> lag.value(TimeUnit.MILLISECONDS) > 200);
                            handler.release.countDown();
                            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("Slow");
                            await().atMost(Duration.ofSeconds(10)).until(() -> lag.value(TimeUnit.MILLISECONDS) < 200);
                        }
                    });
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Registry {

        @Bean
        SimpleMeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }

    @NetpollHandler
    static class DefaultHandler extends EchoHandler {}
}
