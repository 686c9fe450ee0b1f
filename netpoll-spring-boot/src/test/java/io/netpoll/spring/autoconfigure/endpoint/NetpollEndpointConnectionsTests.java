package io.netpoll.spring.autoconfigure.endpoint;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.PollerGroup;
import io.netpoll.spring.actuate.endpoint.NetpollEndpoint;
import io.netpoll.spring.actuate.endpoint.NetpollEndpoint.CloseConnectionDescriptor;
import io.netpoll.spring.actuate.endpoint.NetpollEndpoint.ConnectionDescriptor;
import io.netpoll.spring.actuate.endpoint.NetpollEndpoint.NetpollDescriptor;
import io.netpoll.spring.actuate.endpoint.NetpollEndpoint.ServerConnectionsDescriptor;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.autoconfigure.NetpollAutoConfiguration;
import io.netpoll.spring.autoconfigure.NetpollServerAutoConfiguration;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.NetpollTestClient;
import io.netpoll.spring.test.WatchBufferPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The per-server view of the {@link NetpollEndpoint} ({@code /actuator/netpoll/{server}}), its
 * close operation and the per-poller data: a real context, real sockets on loopback.
 */
@Timeout(60)
class NetpollEndpointConnectionsTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollEndpointAutoConfiguration.class))
            .withUserConfiguration(DefaultHandler.class)
            .withPropertyValues(
                    "netpoll.server.address=127.0.0.1",
                    "netpoll.server.port=0",
                    "management.endpoints.web.exposure.include=netpoll");

    @Test
    void listsTheOldestOrBusiestConnectionsAndClosesOneWhenEnabled() {
        this.contextRunner
                .withPropertyValues(
                        "netpoll.endpoint.close-connections.enabled=true", "netpoll.server.connection.idle-timeout=5m")
                .run((context) -> {
                    NetpollEndpoint endpoint = context.getBean(NetpollEndpoint.class);
                    NetpollServer server = context.getBean(NetpollServer.class);
                    Dialer dialer = context.getBean(Dialer.class);
                    try (Connection older = NetpollTestClient.connect(dialer, server.getPort());
                            Connection busier = NetpollTestClient.connect(dialer, server.getPort())) {
                        assertThat(NetpollTestClient.send(older, "x".repeat(10)))
                                .hasSize(10);
                        assertThat(NetpollTestClient.send(busier, "y".repeat(100)))
                                .hasSize(100);
                        await().atMost(Duration.ofSeconds(10))
                                .until(() -> server.getEventLoop().stats().connectionsActive() == 2);

                        ServerConnectionsDescriptor byAge = endpoint.server("default", null, null);
                        assertThat(byAge.server()).isEqualTo("default");
                        assertThat(byAge.handlerMode()).isEqualTo("adaptive");
                        assertThat(byAge.limits().maxInputBuffer()).isEqualTo(64 << 20);
                        assertThat(byAge.limits().idleTimeoutMillis()).isEqualTo(300_000L);
                        assertThat(byAge.limits().readTimeoutMillis()).isNull();
                        assertThat(byAge.connectionCount()).isEqualTo(2);
                        assertThat(byAge.sort()).isEqualTo("age");
                        assertThat(byAge.limit()).isEqualTo(NetpollEndpoint.DEFAULT_LIMIT);
                        assertThat(byAge.connections())
                                .extracting(ConnectionDescriptor::remoteAddress)
                                .containsExactly(address(older), address(busier));
                        ConnectionDescriptor first = byAge.connections().get(0);
                        assertThat(first.bytesIn()).isEqualTo(10);
                        assertThat(first.bytesOut()).isEqualTo(10);
                        assertThat(first.unreadInput()).isZero();
                        assertThat(first.unsentOutput()).isZero();
                        assertThat(first.state()).isEqualTo("open");
                        assertThat(first.idleMillis()).isBetween(0L, first.ageMillis());
                        assertThat(first.localAddress()).isEqualTo("127.0.0.1:" + server.getPort());

                        ServerConnectionsDescriptor byBytes = endpoint.server("default", 1, "bytes");
                        assertThat(byBytes.connections())
                                .singleElement()
                                .satisfies((c) -> assertThat(c.remoteAddress()).isEqualTo(address(busier)))
                                .satisfies((c) -> assertThat(c.bytesIn()).isEqualTo(100));
                        assertThat(endpoint.server("nope", null, null)).isNull();
                        assertThatExceptionOfType(InvalidEndpointRequestException.class)
                                .isThrownBy(() -> endpoint.server("default", null, "name"));

                        // As Actuator writes it.
                        JsonNode json = JsonMapper.builder().build().valueToTree(byAge);
                        assertThat(json.at("/connections/0/id").asLong()).isEqualTo(first.id());
                        assertThat(json.at("/connections/0/createdAt").asString())
                                .endsWith("Z");

                        CloseConnectionDescriptor closed = endpoint.closeConnection("default", first.id());
                        assertThat(closed.closed()).isTrue();
                        await().atMost(Duration.ofSeconds(10)).until(() -> !older.isActive());
                        assertThat(endpoint.closeConnection("default", first.id())
                                        .closed())
                                .isFalse();
                        assertThat(endpoint.closeConnection("nope", first.id()).message())
                                .isEqualTo("no such server");
                        await().atMost(Duration.ofSeconds(10))
                                .until(() -> server.getEventLoop().stats().connectionsActive() == 1);
                        assertThat(NetpollTestClient.send(busier, "still here")).isEqualTo("still here");
                        // The main view counts it as closed by this side, and says the server has no TLS.
                        await().atMost(Duration.ofSeconds(10))
                                .untilAsserted(() -> assertThat(endpoint.netpoll()
                                                .servers()
                                                .get("default")
                                                .connectionsClosedByReason())
                                        .containsEntry("local", 1L)
                                        .containsEntry("peer", 0L)
                                        .hasSize(9));
                        assertThat(endpoint.netpoll().servers().get("default").tls())
                                .isFalse();
                    }
                });
    }

    @Test
    void closingIsOffByDefault() {
        this.contextRunner.run((context) -> {
            NetpollEndpoint endpoint = context.getBean(NetpollEndpoint.class);
            NetpollServer server = context.getBean(NetpollServer.class);
            try (Connection connection = NetpollTestClient.connect(context.getBean(Dialer.class), server.getPort())) {
                assertThat(NetpollTestClient.send(connection, "hi")).isEqualTo("hi");
                List<ConnectionDescriptor> listed =
                        endpoint.server("default", 10, "age").connections();
                assertThat(listed).hasSize(1);
                CloseConnectionDescriptor answer =
                        endpoint.closeConnection("default", listed.get(0).id());
                assertThat(answer.closed()).isFalse();
                assertThat(answer.message()).startsWith("disabled");
                assertThat(NetpollTestClient.send(connection, "still open")).isEqualTo("still open");
                assertThat(listed.get(0).idleMillis())
                        .as("timed without an idle timeout too")
                        .isBetween(0L, listed.get(0).ageMillis());
            }
        });
    }

    @Test
    void mainViewShowsEachPollerHandlerModeAndLimits() {
        this.contextRunner
                .withPropertyValues(
                        "netpoll.poller.count=2",
                        "netpoll.server.handler-mode=worker",
                        "netpoll.server.connection.max-output-buffer=1MB",
                        "netpoll.server.connection.read-timeout=3s")
                .run((context) -> {
                    NetpollEndpoint endpoint = context.getBean(NetpollEndpoint.class);
                    NetpollServer server = context.getBean(NetpollServer.class);
                    Dialer dialer = context.getBean(Dialer.class);
                    assertThat(NetpollTestClient.echo(dialer, server.getPort(), "a"))
                            .isEqualTo("a");
                    assertThat(NetpollTestClient.echo(dialer, server.getPort(), "b"))
                            .isEqualTo("b");
                    NetpollDescriptor view = endpoint.netpoll();
                    assertThat(view.servers().get("default").handlerMode()).isEqualTo("worker");
                    assertThat(view.servers().get("default").limits().maxOutputBuffer())
                            .isEqualTo(1 << 20);
                    assertThat(view.servers().get("default").limits().readTimeoutMillis())
                            .isEqualTo(3000L);
                    assertThat(view.pollers().perPoller()).hasSize(2);
                    assertThat(view.pollers().perPoller())
                            .extracting((p) -> p.index())
                            .containsExactly(0, 1);
                    assertThat(view.pollers().perPoller()).allSatisfy((p) -> {
                        assertThat(p.name()).contains("-poller-");
                        assertThat(p.thread()).isNotNull();
                        assertThat(p.loopLagMillis()).isNotNegative();
                        assertThat(p.sinceSelectMillis()).isNotNegative();
                    });
                    assertThat(view.pollers().roleThreads()).isGreaterThanOrEqualTo(2);
                    PollerGroup group = context.getBean(PollerGroup.class);
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> endpoint.netpoll().pollers().perPoller().stream()
                                            .mapToInt((p) -> p.registrations())
                                            .sum()
                                    == group.stats().registrations());
                    JsonNode json = JsonMapper.builder().build().valueToTree(endpoint.netpoll());
                    assertThat(json.at("/pollers/perPoller/1/index").asInt()).isEqualTo(1);
                    assertThat(json.at("/servers/default/limits/maxOutputBuffer")
                                    .asInt())
                            .isEqualTo(1 << 20);
                });
    }

    @ParameterizedTest(name = "idle timeout: {0}")
    @ValueSource(strings = {"", "5m"})
    void idleTimeIsShownWithOrWithoutAnIdleTimeout(String idleTimeout) {
        long span = 300;
        this.contextRunner
                .withPropertyValues("netpoll.server.connection.idle-timeout=" + idleTimeout)
                .run((context) -> {
                    NetpollEndpoint endpoint = context.getBean(NetpollEndpoint.class);
                    NetpollServer server = context.getBean(NetpollServer.class);
                    Dialer dialer = context.getBean(Dialer.class);
                    try (Connection silent = NetpollTestClient.connect(dialer, server.getPort());
                            Connection busy = NetpollTestClient.connect(dialer, server.getPort())) {
                        assertThat(NetpollTestClient.send(silent, "quiet")).isEqualTo("quiet");
                        // The server stamps its send before it counts it: once counted, stamped.
                        await().pollDelay(Duration.ZERO)
                                .pollInterval(Duration.ofMillis(1))
                                .atMost(Duration.ofSeconds(10))
                                .until(() -> find(endpoint, silent).bytesOut() == 5);
                        long silentSince = System.nanoTime();
                        // The other connection stays busy until the span has passed (bounded by the clock).
                        while (System.nanoTime() - silentSince
                                < Duration.ofMillis(span).toNanos()) {
                            assertThat(NetpollTestClient.send(busy, "b")).isEqualTo("b");
                        }
                        ConnectionDescriptor quiet = find(endpoint, silent);
                        ConnectionDescriptor active = find(endpoint, busy);
                        assertThat(quiet.idleMillis())
                                .isGreaterThanOrEqualTo(span)
                                .isLessThanOrEqualTo(quiet.ageMillis());
                        assertThat(active.idleMillis()).isBetween(0L, span / 2);
                    }
                });
    }

    private static ConnectionDescriptor find(NetpollEndpoint endpoint, Connection client) {
        return endpoint.server("default", 10, "age").connections().stream()
                .filter((c) -> address(client).equals(c.remoteAddress()))
                .findFirst()
                .orElseThrow();
    }

    private static String address(Connection client) {
        InetSocketAddress local = (InetSocketAddress) client.localAddress();
        return local.getAddress().getHostAddress() + ":" + local.getPort();
    }

    @NetpollHandler
    static class DefaultHandler extends EchoHandler {}
}
