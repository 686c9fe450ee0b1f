package io.netpoll.spring.autoconfigure;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netpoll.Dialer;
import io.netpoll.pool.ConnectionPool;
import io.netpoll.pool.PooledConnection;
import io.netpoll.spring.autoconfigure.metrics.NetpollConnectionPoolMetricsAutoConfiguration;
import io.netpoll.spring.metrics.NetpollConnectionPoolMetrics;
import io.netpoll.spring.test.WatchBufferPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link NetpollConnectionPoolAutoConfiguration} and its meters.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetpollConnectionPoolAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    NetpollAutoConfiguration.class,
                    NetpollConnectionPoolAutoConfiguration.class,
                    NetpollConnectionPoolMetricsAutoConfiguration.class));

    @Test
    void aPoolOverTheDialerWithDefaults() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(ConnectionPool.class);
            ConnectionPool pool = context.getBean(ConnectionPool.class);
            assertThat(pool.maxConnections()).isEqualTo(16);
            assertThat(pool.maxPendingAcquires()).isEqualTo(1000);
            assertThat(pool.acquireTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(pool.maxIdleTime()).isNull();
            assertThat(pool.maxLifetime()).isNull();
            assertThat(context).doesNotHaveBean(NetpollConnectionPoolMetrics.class); // no MeterRegistry
        });
    }

    @Test
    void propertiesConfigureThePoolAndItClosesWithTheContext() {
        ConnectionPool[] seen = new ConnectionPool[1];
        this.contextRunner
                .withPropertyValues(
                        "netpoll.dialer.pool.max-connections=3",
                        "netpoll.dialer.pool.max-pending-acquires=7",
                        "netpoll.dialer.pool.acquire-timeout=250ms",
                        "netpoll.dialer.pool.max-idle-time=30s",
                        "netpoll.dialer.pool.max-lifetime=5m")
                .run((context) -> {
                    ConnectionPool pool = context.getBean(ConnectionPool.class);
                    seen[0] = pool;
                    assertThat(pool.maxConnections()).isEqualTo(3);
                    assertThat(pool.maxPendingAcquires()).isEqualTo(7);
                    assertThat(pool.acquireTimeout()).isEqualTo(Duration.ofMillis(250));
                    assertThat(pool.maxIdleTime()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(pool.maxLifetime()).isEqualTo(Duration.ofMinutes(5));
                });
        assertThat(seen[0].isClosed()).isTrue();
    }

    @Test
    void backsOffForAnApplicationPoolAndWhenDisabled() {
        this.contextRunner.withUserConfiguration(OwnPool.class).run((context) -> {
            assertThat(context).hasSingleBean(ConnectionPool.class);
            assertThat(context.getBean(ConnectionPool.class).maxConnections()).isEqualTo(2);
        });
        this.contextRunner
                .withPropertyValues("netpoll.dialer.pool.enabled=false")
                .run((context) -> assertThat(context).doesNotHaveBean(ConnectionPool.class));
    }

    @Test
    void invalidPropertiesFailStartup() {
        this.contextRunner
                .withPropertyValues("netpoll.dialer.pool.max-connections=0")
                .run((context) -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("dialer.pool.max-connections"));
        this.contextRunner
                .withPropertyValues("netpoll.dialer.pool.acquire-timeout=-1s")
                .run((context) -> assertThat(context).hasFailed());
    }

    @Test
    void metersFollowAcquireAndRelease() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = async(() -> server.accept());
            this.contextRunner.withUserConfiguration(Registry.class).run((context) -> {
                SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
                for (String name : NetpollConnectionPoolMetrics.NAMES) {
                    assertThat(registry.find(name).meter()).as(name).isNotNull();
                }
                ConnectionPool pool = context.getBean(ConnectionPool.class);
                PooledConnection lease = pool.acquire("127.0.0.1:" + server.getLocalPort());
                assertThat(registry.get("netpoll.dialer.pool.connections.active")
                                .gauge()
                                .value())
                        .isEqualTo(1);
                assertThat(registry.get("netpoll.dialer.pool.connections.created")
                                .functionCounter()
                                .count())
                        .isEqualTo(1);
                lease.release();
                assertThat(registry.get("netpoll.dialer.pool.connections.active")
                                .gauge()
                                .value())
                        .isZero();
                assertThat(registry.get("netpoll.dialer.pool.connections.idle")
                                .gauge()
                                .value())
                        .isEqualTo(1);
                assertThat(registry.get("netpoll.dialer.pool.connections.max")
                                .gauge()
                                .value())
                        .isEqualTo(16);
                FunctionTimer acquire =
                        registry.get("netpoll.dialer.pool.acquire").functionTimer();
                assertThat(acquire.count()).isEqualTo(1);
                assertThat(acquire.totalTime(TimeUnit.NANOSECONDS)).isPositive();
                assertThat(context.getBean(Dialer.class)).isNotNull();
            });
            accepted.get(10, TimeUnit.SECONDS).close();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnPool {

        @Bean
        ConnectionPool myPool(Dialer dialer) {
            return ConnectionPool.builder(dialer).maxConnections(2).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Registry {

        @Bean
        SimpleMeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }
}
