package io.netpoll.spring.autoconfigure.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The offload meters in a real context ({@code netpoll.server.handlers.offloaded},
 * {@code netpoll.server.handlers.readmitted}, {@code netpoll.handler.offload.threads}): an
 * adaptive handler that blocks outside netpoll moves its connection to the offload pool, and 64
 * quick calls bring it back.
 */
@Timeout(60)
class NetpollOffloadMetricsTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollMetricsAutoConfiguration.class))
            .withUserConfiguration(Registry.class, DefaultHandler.class)
            .withPropertyValues("netpoll.server.address=127.0.0.1", "netpoll.server.port=0", "netpoll.poller.count=1");

    @Test
    void aBlockingAdaptiveHandlerIsCountedOffloadedAndReadmitted() {
        try (PollerGroup clientGroup = PollerGroup.create(1)) {
            Dialer client = Netpoll.newDialer(Option.pollerGroup(clientGroup));
            this.contextRunner.run((context) -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                DefaultHandler handler = context.getBean(DefaultHandler.class);
                NetpollServer server = context.getBean(NetpollServer.class);
                FunctionCounter offloaded = registry.get("netpoll.server.handlers.offloaded")
                        .tag("server", "default")
                        .functionCounter();
                FunctionCounter readmitted = registry.get("netpoll.server.handlers.readmitted")
                        .tag("server", "default")
                        .functionCounter();
                Gauge offloadThreads =
                        registry.get("netpoll.handler.offload.threads").gauge();
                FunctionCounter handoffs =
                        registry.get("netpoll.poller.handoffs").functionCounter();
                assertThat(offloaded.count()).isZero();
                assertThat(offloadThreads.value()).isZero();
                try (Connection connection = NetpollTestClient.connect(client, server.getPort())) {
                    // 'S' blocks on a latch (outside netpoll) on the poller's thread: the monitor takes
                    // the role, and the call goes on blocking.
                    CompletableFuture<String> reply = async(() -> NetpollTestClient.send(connection, "Slow"));
                    assertThat(handler.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
                    await().atMost(Duration.ofSeconds(10)).until(() -> handoffs.count() >= 1);
                    // Well past the 1 ms a call must go on blocking after the retake, with room for a
                    // monitor late on a loaded machine (wall time, not synchronisation).
                    new CountDownLatch(1).await(100, TimeUnit.MILLISECONDS);
                    handler.release.countDown();
                    assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("Slow");
                    await().atMost(Duration.ofSeconds(10)).until(() -> offloaded.count() == 1);
                    assertThat(readmitted.count()).isZero();
                    // Quick calls run on the offload pool, then the connection goes back to its poller.
                    assertThat(NetpollTestClient.send(connection, "quick")).isEqualTo("quick");
                    assertThat(offloadThreads.value()).isPositive();
                    // 64 quick calls in a row; a slow one (a cold JIT, a loaded machine) starts the count
                    // again, so send until it is back, within a bound.
                    int sent = 1;
                    while (readmitted.count() == 0 && sent < 5_000) {
                        assertThat(NetpollTestClient.send(connection, "quick")).isEqualTo("quick");
                        sent++;
                    }
                    assertThat(sent).isGreaterThanOrEqualTo(64);
                    assertThat(readmitted.count()).isEqualTo(1);
                    assertThat(offloaded.count()).isEqualTo(1);
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
