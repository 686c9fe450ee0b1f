package io.netpoll.spring.autoconfigure.health;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code netpoll} health contributor and a poller that a handler holds: an inline handler
 * that blocks takes the poller out of select, so the contributor reports DOWN (a readiness probe
 * takes the instance out of rotation) until the handler returns; an adaptive handler that blocks
 * loses the poller's role to a spare thread, so the instance stays UP.
 */
@Timeout(60)
class NetpollStuckPollerHealthTests {

    private final PollerGroup clientGroup = PollerGroup.create(1);

    private final Dialer client = Netpoll.newDialer(Option.pollerGroup(this.clientGroup));

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollHealthContributorAutoConfiguration.class,
                    HealthContributorAutoConfiguration.class))
            .withUserConfiguration(DefaultHandler.class)
            .withPropertyValues(
                    "netpoll.server.address=127.0.0.1",
                    "netpoll.server.port=0",
                    "netpoll.poller.count=1",
                    "netpoll.health.stuck-poller-threshold=300ms");

    @AfterEach
    void closeClient() {
        this.clientGroup.close();
    }

    @Test
    void aBlockedInlineHandlerIsDownUntilItReturns() {
        this.contextRunner
                .withPropertyValues("netpoll.server.handler-mode=inline")
                .run((context) -> {
                    DefaultHandler handler = context.getBean(DefaultHandler.class);
                    NetpollServer server = context.getBean(NetpollServer.class);
                    HealthIndicator indicator = context.getBean("netpollHealthContributor", HealthIndicator.class);
                    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                    try (Connection connection = NetpollTestClient.connect(this.client, server.getPort())) {
                        CompletableFuture<String> reply = async(() -> NetpollTestClient.send(connection, "Slow"));
                        assertThat(handler.slowStarted.await(10, TimeUnit.SECONDS))
                                .isTrue();

                        await().atMost(Duration.ofSeconds(10))
                                .until(() -> indicator.health().getStatus() == Status.DOWN);
                        Health down = indicator.health();
                        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                        assertThat((String) down.getDetails().get("reason")).startsWith("poller stuck");
                        @SuppressWarnings("unchecked")
                        Map<String, Object> stuck =
                                (Map<String, Object>) down.getDetails().get("stuckPoller");
                        assertThat((String) stuck.get("poller")).contains("-poller-0");
                        assertThat(stuck.get("thread")).isEqualTo(stuck.get("poller"));
                        assertThat((String) stuck.get("running")).matches("connection \\d+");
                        assertThat((Long) stuck.get("stuckForMillis")).isGreaterThanOrEqualTo(300L);
                        assertThat(down.toString())
                                .as("never a peer address")
                                .doesNotContain(String.valueOf(connection.localAddress()));

                        handler.release.countDown();
                        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("Slow");
                        await().atMost(Duration.ofSeconds(10))
                                .until(() -> indicator.health().getStatus() == Status.UP);
                    }
                });
    }

    @Test
    void aBlockedAdaptiveHandlerIsHandedOffAndStaysUp() {
        this.contextRunner
                .withPropertyValues("netpoll.server.handler-mode=adaptive")
                .run((context) -> {
                    DefaultHandler handler = context.getBean(DefaultHandler.class);
                    NetpollServer server = context.getBean(NetpollServer.class);
                    HealthIndicator indicator = context.getBean("netpollHealthContributor", HealthIndicator.class);
                    try (Connection connection = NetpollTestClient.connect(this.client, server.getPort());
                            Connection other = NetpollTestClient.connect(this.client, server.getPort())) {
                        CompletableFuture<String> reply = async(() -> NetpollTestClient.send(connection, "Slow"));
                        assertThat(handler.slowStarted.await(10, TimeUnit.SECONDS))
                                .isTrue();
                        PollerGroup group = context.getBean(PollerGroup.class);
                        await().atMost(Duration.ofSeconds(10))
                                .until(() -> group.stats().roleHandOffs() > 0);
                        // Longer than the threshold, the handler still blocked: the spare serves the poller.
                        await().during(Duration.ofMillis(900))
                                .atMost(Duration.ofSeconds(10))
                                .until(() -> indicator.health().getStatus() == Status.UP);
                        assertThat(handler.release.getCount())
                                .as("the handler was blocked all along")
                                .isEqualTo(1);
                        assertThat(NetpollTestClient.send(other, "served")).isEqualTo("served");
                        handler.release.countDown();
                        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("Slow");
                    }
                });
    }

    @Test
    void zeroTurnsTheCheckOff() {
        this.contextRunner
                .withPropertyValues("netpoll.server.handler-mode=inline", "netpoll.health.stuck-poller-threshold=0")
                .run((context) -> {
                    DefaultHandler handler = context.getBean(DefaultHandler.class);
                    NetpollServer server = context.getBean(NetpollServer.class);
                    HealthIndicator indicator = context.getBean("netpollHealthContributor", HealthIndicator.class);
                    try (Connection connection = NetpollTestClient.connect(this.client, server.getPort())) {
                        CompletableFuture<String> reply = async(() -> NetpollTestClient.send(connection, "Slow"));
                        assertThat(handler.slowStarted.await(10, TimeUnit.SECONDS))
                                .isTrue();
                        PollerGroup group = context.getBean(PollerGroup.class);
                        await().atMost(Duration.ofSeconds(10))
                                .until(() -> group.pollerStats().get(0).nanosSinceSelect()
                                        > TimeUnit.MILLISECONDS.toNanos(500));
                        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                        handler.release.countDown();
                        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("Slow");
                    }
                });
    }

    @Test
    void aNegativeThresholdFailsStartup() {
        this.contextRunner
                .withPropertyValues("netpoll.health.stuck-poller-threshold=-1s")
                .run((context) -> assertThat(context).hasFailed());
    }

    @NetpollHandler
    static class DefaultHandler extends EchoHandler {}
}
