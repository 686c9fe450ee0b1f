package io.netpoll.spring.autoconfigure.health;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.autoconfigure.NetpollAutoConfiguration;
import io.netpoll.spring.autoconfigure.NetpollServerAutoConfiguration;
import io.netpoll.spring.health.NetpollPollerHealthIndicator;
import io.netpoll.spring.health.NetpollServerHealthIndicator;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.NetpollTestClient;
import io.netpoll.spring.test.WatchBufferPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link NetpollHealthContributorAutoConfiguration}.
 */
@Timeout(60)
class NetpollHealthContributorAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollHealthContributorAutoConfiguration.class,
                    HealthContributorAutoConfiguration.class))
            .withPropertyValues("netpoll.server.address=127.0.0.1", "netpoll.server.port=0");

    @Test
    void oneServerGetsASingleIndicatorThatIsUpWhileServing() {
        this.contextRunner.withUserConfiguration(DefaultHandler.class).run((context) -> {
            assertThat(context).hasBean("netpollHealthContributor");
            HealthIndicator indicator = context.getBean("netpollHealthContributor", NetpollServerHealthIndicator.class);
            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            NetpollServer server = context.getBean(NetpollServer.class);
            assertThat(health.getDetails())
                    .containsEntry("state", "SERVING")
                    .containsEntry("port", server.getPort())
                    .containsEntry("address", "127.0.0.1")
                    .containsEntry("network", "tcp")
                    .containsEntry("connections", 0L)
                    .containsKeys("pollers", "pollersExpected");
        });
    }

    @Test
    void detailsCountOpenConnectionsWithoutNamingPeers() {
        this.contextRunner.withUserConfiguration(DefaultHandler.class).run((context) -> {
            NetpollServer server = context.getBean(NetpollServer.class);
            HealthIndicator indicator = context.getBean("netpollHealthContributor", HealthIndicator.class);
            try (Connection connection = NetpollTestClient.connect(context.getBean(Dialer.class), server.getPort())) {
                NetpollTestClient.send(connection, "hi");
                Health health = indicator.health();
                assertThat(health.getDetails()).containsEntry("connections", 1L);
                assertThat(health.toString()).doesNotContain(String.valueOf(connection.localAddress()));
            }
        });
    }

    @Test
    void twoServersGetOneChildEach() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class, AdminHandler.class)
                .withPropertyValues("netpoll.servers.admin.address=127.0.0.1", "netpoll.servers.admin.port=0")
                .run((context) -> {
                    HealthContributor contributor =
                            context.getBean("netpollHealthContributor", HealthContributor.class);
                    assertThat(contributor).isInstanceOf(CompositeHealthContributor.class);
                    CompositeHealthContributor composite = (CompositeHealthContributor) contributor;
                    assertThat(composite.getContributor("default")).isInstanceOf(NetpollServerHealthIndicator.class);
                    assertThat(composite.getContributor("admin")).isInstanceOf(NetpollServerHealthIndicator.class);
                    assertThat(((HealthIndicator) composite.getContributor("admin"))
                                    .health()
                                    .getStatus())
                            .isEqualTo(Status.UP);
                });
    }

    @Test
    void clientOnlyApplicationReportsItsPollers() {
        this.contextRunner.run((context) -> {
            HealthIndicator indicator = context.getBean("netpollHealthContributor", NetpollPollerHealthIndicator.class);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
            context.getBean(PollerGroup.class).close();
            assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void serverIsOutOfServiceWhileDrainingAndDownOnceStopped() {
        try (PollerGroup clientGroup = PollerGroup.create(1)) {
            Dialer clientDialer = Netpoll.newDialer(Option.pollerGroup(clientGroup));
            this.contextRunner
                    .withUserConfiguration(DefaultHandler.class)
                    .withPropertyValues("netpoll.server.shutdown.grace-period=20s")
                    .run((context) -> {
                        DefaultHandler handler = context.getBean(DefaultHandler.class);
                        NetpollServer server = context.getBean(NetpollServer.class);
                        HealthIndicator indicator = context.getBean("netpollHealthContributor", HealthIndicator.class);
                        Connection client = NetpollTestClient.connect(clientDialer, server.getPort());
                        CompletableFuture<String> reply = async(() -> {
                            try {
                                return NetpollTestClient.send(client, "Slow");
                            } catch (Exception ex) {
                                throw new IllegalStateException(ex);
                            }
                        });
                        assertThat(handler.slowStarted.await(10, TimeUnit.SECONDS))
                                .isTrue();
                        CompletableFuture<Status> statusWhileDraining = async(() -> {
                            await().atMost(Duration.ofSeconds(10))
                                    .until(() -> server.getState() == NetpollServer.State.DRAINING);
                            Status status = indicator.health().getStatus();
                            handler.release.countDown();
                            return status;
                        });
                        context.close();
                        assertThat(statusWhileDraining.get(10, TimeUnit.SECONDS))
                                .isEqualTo(Status.OUT_OF_SERVICE);
                        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("Slow");
                        assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
                        client.close();
                    });
        }
    }

    @Test
    void disabledByProperty() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .withPropertyValues("management.health.netpoll.enabled=false")
                .run((context) -> assertThat(context).doesNotHaveBean("netpollHealthContributor"));
    }

    @Test
    void backsOffWithoutSpringBootHealth() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .withClassLoader(new FilteredClassLoader(HealthContributor.class))
                .run((context) -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(NetpollServer.class)
                        .doesNotHaveBean("netpollHealthContributor"));
    }

    @Test
    void backsOffToTheApplicationsIndicator() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class, UserIndicator.class)
                .run((context) -> {
                    assertThat(context.getBean("netpollHealthIndicator")).isSameAs(UserIndicator.INDICATOR);
                    assertThat(context).doesNotHaveBean("netpollHealthContributor");
                });
    }

    @NetpollHandler
    static class DefaultHandler extends EchoHandler {}

    @NetpollHandler("admin")
    static class AdminHandler extends EchoHandler {}

    @Configuration(proxyBeanMethods = false)
    static class UserIndicator {

        static final HealthIndicator INDICATOR =
                () -> Health.up().withDetails(Map.of("mine", true)).build();

        @Bean
        HealthIndicator netpollHealthIndicator() {
            return INDICATOR;
        }
    }
}
