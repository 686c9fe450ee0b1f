package io.netpoll.spring.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.OnRequest;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.autoconfigure.NetpollAutoConfiguration;
import io.netpoll.spring.autoconfigure.NetpollServerAutoConfiguration;
import io.netpoll.spring.metrics.NetpollMeters;
import io.netpoll.spring.metrics.NetpollMetrics;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.NetpollTestClient;
import io.netpoll.spring.test.WatchBufferPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link NetpollMetricsAutoConfiguration}.
 */
@Timeout(60)
class NetpollMetricsAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollMetricsAutoConfiguration.class))
            .withPropertyValues("netpoll.server.address=127.0.0.1", "netpoll.server.port=0");

    @Test
    void everyMeterIsRegisteredWithBoundedTags() {
        this.contextRunner
                .withUserConfiguration(Registry.class, DefaultHandler.class)
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    for (NetpollMeters meter : NetpollMeters.values()) {
                        if (meter == NetpollMeters.SERVER_ERRORS
                                || meter == NetpollMeters.SERVER_REQUESTS
                                || meter == NetpollMeters.SERVER_CONNECTIONS_MAX
                                || meter.getName().contains(".tls.")) {
                            // Registered at the first error, opt-in, only with max-connections,
                            // only for TLS (NetpollTlsMetricsTests).
                            continue;
                        }
                        assertThat(registry.find(meter.getName()).meters())
                                .as(meter.getName())
                                .isNotEmpty();
                    }
                    assertThat(registry.get("netpoll.server.connections.active")
                                    .tag("server", "default")
                                    .gauge()
                                    .value())
                            .isZero();
                    assertThat(registry.get("netpoll.buffer.memory.used")
                                    .tag("memory.type", "direct")
                                    .gauge())
                            .isNotNull();
                    assertThat(registry.get("executor.pool.size")
                                    .tag("name", "netpoll.worker")
                                    .gauge())
                            .as("netpoll-core's own worker pool has the standard executor meters")
                            .isNotNull();
                    assertThat(registry.find("netpoll.server.requests").timer()).isNull();
                });
    }

    @Test
    void workerExecutorOfTheContextGetsTheStandardExecutorMeters() {
        this.contextRunner
                .withUserConfiguration(Registry.class, DefaultHandler.class)
                .withPropertyValues("netpoll.worker.max-size=4")
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get("executor.pool.max")
                                    .tag("name", "netpoll.worker")
                                    .gauge()
                                    .value())
                            .isEqualTo(4);
                    assertThat(registry.get("executor.completed")
                                    .tag("name", "netpoll.worker")
                                    .functionCounter())
                            .isNotNull();
                    assertThat(registry.find("executor.parallelism").meters())
                            .as("only the context's executor is measured, not netpoll-core's unused pool")
                            .isEmpty();
                });
    }

    @Test
    void netpollCoresWorkerPoolGetsTheStandardExecutorMeters() {
        this.contextRunner
                .withUserConfiguration(Registry.class, DefaultHandler.class)
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get("executor.parallelism")
                                    .tag("name", "netpoll.worker")
                                    .gauge()
                                    .value())
                            .isEqualTo(Runtime.getRuntime().availableProcessors());
                    int port = context.getBean(NetpollServer.class).getPort();
                    assertThat(NetpollTestClient.echo(context.getBean(Dialer.class), port, "w"))
                            .isEqualTo("w");
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> assertThat(registry.get("executor.completed")
                                            .tag("name", "netpoll.worker")
                                            .functionCounter()
                                            .count())
                                    .isGreaterThanOrEqualTo(1));
                    assertThat(registry.get("executor.pool.size")
                                    .tag("name", "netpoll.worker")
                                    .gauge()
                                    .value())
                            .isGreaterThanOrEqualTo(1);
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> registry.get("executor.active")
                                            .tag("name", "netpoll.worker")
                                            .gauge()
                                            .value()
                                    == 0);
                    assertThat(registry.get("executor.queued")
                                    .tag("name", "netpoll.worker")
                                    .gauge()
                                    .value())
                            .isZero();
                    assertThat(registry.get("executor.running")
                                    .tag("name", "netpoll.worker")
                                    .gauge())
                            .isNotNull();
                    assertThat(registry.find("executor.pool.max").meters())
                            .as("the pool has no maximum")
                            .isEmpty();
                });
    }

    @Test
    void bufferMetersReadTheContextsPool() {
        this.contextRunner
                .withUserConfiguration(Registry.class, DefaultHandler.class)
                .withPropertyValues("netpoll.buffer.max-pooled-memory=3MB", "netpoll.buffer.max-direct-memory=40MB")
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    BufferPool pool = context.getBean(BufferPool.class);
                    assertThat(registry.get("netpoll.buffer.memory.max")
                                    .tag("memory.type", "direct")
                                    .gauge()
                                    .value())
                            .isEqualTo(3 * 1024 * 1024);
                    int port = context.getBean(NetpollServer.class).getPort();
                    assertThat(NetpollTestClient.echo(context.getBean(Dialer.class), port, "memory"))
                            .isEqualTo("memory");
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> pool.stats().outstandingNodes() == 0);
                    assertThat(registry.get("netpoll.buffer.memory.pooled")
                                    .gauge()
                                    .value())
                            .isEqualTo(pool.stats().pooledBytes())
                            .isPositive();
                    assertThat(registry.get("netpoll.buffer.memory.used")
                                    .gauge()
                                    .value())
                            .isZero();
                    assertThat(registry.get("netpoll.buffer.leaks")
                                    .functionCounter()
                                    .count())
                            .isZero();
                    assertThat(registry.get("netpoll.buffer.memory.budget")
                                    .tag("memory.type", "direct")
                                    .gauge()
                                    .value())
                            .isEqualTo(40 * 1024 * 1024);
                    assertThat(registry.get("netpoll.buffer.memory.reserved")
                                    .gauge()
                                    .value())
                            .isEqualTo(pool.stats().reservedBytes())
                            .isPositive();
                    assertThat(registry.get("netpoll.buffer.budget.refusals")
                                    .functionCounter()
                                    .count())
                            .isZero();
                    assertThat(registry.get("netpoll.buffer.memory.decayed")
                                    .functionCounter()
                                    .count())
                            .isZero();
                });
    }

    @Test
    void connectionAndByteMetersMoveWithTraffic() {
        this.contextRunner
                .withUserConfiguration(Registry.class, DefaultHandler.class)
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    int port = context.getBean(NetpollServer.class).getPort();
                    try (Connection connection = NetpollTestClient.connect(context.getBean(Dialer.class), port)) {
                        assertThat(NetpollTestClient.send(connection, "hello")).isEqualTo("hello");
                        assertThat(registry.get("netpoll.server.connections.active")
                                        .gauge()
                                        .value())
                                .isEqualTo(1);
                        assertThat(registry.get("netpoll.dialer.connections.active")
                                        .gauge()
                                        .value())
                                .isEqualTo(1);
                    }
                    assertThat(registry.get("netpoll.server.connections.accepted")
                                    .functionCounter()
                                    .count())
                            .isEqualTo(1);
                    assertThat(registry.get("netpoll.server.data.received")
                                    .functionCounter()
                                    .count())
                            .isEqualTo(5);
                    assertThat(registry.get("netpoll.dialer.data.sent")
                                    .functionCounter()
                                    .count())
                            .isEqualTo(5);
                    // The sender counts its bytes after the write call returns: the peer may be faster.
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> assertThat(registry.get("netpoll.server.data.sent")
                                            .functionCounter()
                                            .count())
                                    .isEqualTo(5));
                    assertThat(registry.get("netpoll.server.handler.calls")
                                    .functionCounter()
                                    .count())
                            .isGreaterThanOrEqualTo(1);
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> registry.get("netpoll.server.connections.active")
                                            .gauge()
                                            .value()
                                    == 0);
                });
    }

    @Test
    void handlerErrorsAreCountedByExceptionType() {
        this.contextRunner
                .withUserConfiguration(Registry.class, DefaultHandler.class)
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    int port = context.getBean(NetpollServer.class).getPort();
                    try (Connection connection = NetpollTestClient.connect(context.getBean(Dialer.class), port)) {
                        connection.writer().writeBinary("!".getBytes(), 0, 1);
                        connection.writer().flush();
                        await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isActive());
                    }
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> assertThat(registry.get("netpoll.server.errors")
                                            .tag("server", "default")
                                            .tag("exception", "IllegalStateException")
                                            .counter()
                                            .count())
                                    .isEqualTo(1));
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> assertThat(registry.get("netpoll.server.handler.errors")
                                            .functionCounter()
                                            .count())
                                    .isEqualTo(1));
                });
    }

    @Test
    void errorsThePeerCausedAreCountedAsPeerErrorsNotHandlerErrors() {
        this.contextRunner
                .withUserConfiguration(Registry.class, WaitingHandler.class)
                .withPropertyValues(
                        "netpoll.server.connection.read-timeout=200ms", "netpoll.server.handler-mode=worker")
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    int port = context.getBean(NetpollServer.class).getPort();
                    try (Socket peer = new Socket()) {
                        peer.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                        // one byte of the eight the handler waits for, then silence: a read timeout
                        peer.getOutputStream().write(1);
                        peer.getOutputStream().flush();
                        await().atMost(Duration.ofSeconds(10))
                                .untilAsserted(() -> assertThat(registry.get("netpoll.server.peer.errors")
                                                .tag("server", "default")
                                                .functionCounter()
                                                .count())
                                        .isEqualTo(1));
                        assertThat(peer.getInputStream().read())
                                .as("the server closed the connection")
                                .isEqualTo(-1);
                    }
                    assertThat(registry.get("netpoll.server.handler.errors")
                                    .functionCounter()
                                    .count())
                            .as("a peer's read timeout is not a handler error")
                            .isZero();
                });
    }

    @Test
    void writeTimeoutClosesAreCountedAndAreNotHandlerErrors() {
        this.contextRunner
                .withUserConfiguration(Registry.class, FloodingHandler.class)
                .withPropertyValues("netpoll.server.connection.write-timeout=200ms")
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    int port = context.getBean(NetpollServer.class).getPort();
                    try (Socket peer = new Socket()) {
                        peer.setReceiveBufferSize(64 * 1024);
                        peer.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                        peer.getOutputStream().write(1); // starts the flood; never reads
                        await().atMost(Duration.ofSeconds(20))
                                .untilAsserted(() -> assertThat(registry.get("netpoll.server.connections.write.timeout")
                                                .tag("server", "default")
                                                .functionCounter()
                                                .count())
                                        .isEqualTo(1));
                    }
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> registry.get("netpoll.server.connections.active")
                                            .gauge()
                                            .value()
                                    == 0);
                    assertThat(registry.get("netpoll.server.handler.errors")
                                    .functionCounter()
                                    .count())
                            .isZero();
                    assertThat(registry.find("netpoll.server.errors").meters()).isEmpty();
                });
    }

    @Test
    void requestTimerIsOptIn() {
        this.contextRunner
                .withUserConfiguration(Registry.class, DefaultHandler.class)
                .withPropertyValues("netpoll.metrics.requests.enabled=true")
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    int port = context.getBean(NetpollServer.class).getPort();
                    assertThat(NetpollTestClient.echo(context.getBean(Dialer.class), port, "t"))
                            .isEqualTo("t");
                    // The reply is flushed inside the handler; the sample is recorded when it returns.
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        Timer timer = registry.get("netpoll.server.requests")
                                .tags("server", "default", "outcome", "success", "exception", "none")
                                .timer();
                        assertThat(timer.count()).isGreaterThanOrEqualTo(1);
                    });
                });
    }

    @Test
    void metersAreRemovedWhenTheContextCloses() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        this.contextRunner
                .withBean(MeterRegistry.class, () -> registry)
                .withUserConfiguration(DefaultHandler.class)
                .run((context) -> assertThat(registry.find("netpoll.server.connections.active")
                                .meters())
                        .isNotEmpty());
        assertThat(registry.getMeters())
                .noneMatch((meter) -> meter.getId().getName().startsWith("netpoll"));
        assertThat(registry.getMeters())
                .noneMatch((meter) -> "netpoll.worker".equals(meter.getId().getTag("name")));
    }

    @Test
    void maxConnectionsIsPublishedWhenConfigured() {
        this.contextRunner
                .withUserConfiguration(Registry.class, DefaultHandler.class)
                .withPropertyValues("netpoll.server.max-connections=100")
                .run((context) -> assertThat(context.getBean(MeterRegistry.class)
                                .get("netpoll.server.connections.max")
                                .tag("server", "default")
                                .gauge()
                                .value())
                        .isEqualTo(100));
    }

    @Test
    void bootsEnableSwitchTurnsNetpollMetersOff() {
        new ApplicationContextRunner()
                .withInitializer(new WatchBufferPools())
                .withConfiguration(AutoConfigurations.of(
                        MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class,
                        NetpollAutoConfiguration.class,
                        NetpollServerAutoConfiguration.class,
                        NetpollMetricsAutoConfiguration.class))
                .withUserConfiguration(DefaultHandler.class)
                .withPropertyValues(
                        "netpoll.server.address=127.0.0.1",
                        "netpoll.server.port=0",
                        "management.metrics.enable.netpoll=false")
                .run((context) -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(context).hasSingleBean(NetpollMetrics.class);
                    assertThat(registry.find("netpoll.server.connections.active")
                                    .meters())
                            .isEmpty();
                    assertThat(registry.find("netpoll.poller.count").meters()).isEmpty();
                });
    }

    @Test
    void noMeterRegistryBeanNoMetrics() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(NetpollMetrics.class));
    }

    @Test
    void backsOffWithoutMicrometer() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run((context) -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(NetpollServer.class)
                        .doesNotHaveBean(NetpollMetrics.class));
    }

    @Test
    void backsOffToTheApplicationsMetrics() {
        this.contextRunner
                .withUserConfiguration(Registry.class, DefaultHandler.class, UserMetrics.class)
                .run((context) ->
                        assertThat(context.getBean(NetpollMetrics.class)).isSameAs(context.getBean("myMetrics")));
    }

    @Configuration(proxyBeanMethods = false)
    static class Registry {

        @Bean
        SimpleMeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserMetrics {

        @Bean
        NetpollMetrics myMetrics(
                MeterRegistry registry,
                org.springframework.beans.factory.ObjectProvider<io.netpoll.spring.server.NetpollServers> servers,
                org.springframework.beans.factory.ObjectProvider<io.netpoll.PollerGroup> group,
                org.springframework.beans.factory.ObjectProvider<Dialer> dialer) {
            return new NetpollMetrics(
                    registry,
                    servers,
                    group,
                    dialer,
                    new org.springframework.beans.factory.support.StaticListableBeanFactory()
                            .getBeanProvider(BufferPool.class),
                    null,
                    false);
        }
    }

    @NetpollHandler
    static class DefaultHandler extends EchoHandler {}

    /** Waits for an 8-byte frame: a peer that sends less makes the read time out. */
    @NetpollHandler
    static class WaitingHandler implements OnRequest {

        @Override
        public void onRequest(Object context, Connection connection) throws Exception {
            connection.reader().next(8);
            connection.reader().release();
        }
    }

    /**
     * Answers any byte with up to 1 GiB, far more than socket buffers hold: against a peer that
     * does not read, a flush must time out.
     */
    @NetpollHandler
    static class FloodingHandler implements OnRequest {

        @Override
        public void onRequest(Object context, Connection connection) throws Exception {
            connection.reader().skip(connection.reader().len());
            byte[] chunk = new byte[256 * 1024];
            for (int i = 0; i < 4096; i++) {
                connection.writer().writeBinary(chunk, 0, chunk.length);
                connection.writer().flush();
            }
        }
    }
}
