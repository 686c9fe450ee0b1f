package io.netpoll.spring.autoconfigure.endpoint;

import io.netpoll.Dialer;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.actuate.endpoint.NetpollEndpoint;
import io.netpoll.spring.actuate.endpoint.NetpollEndpoint.NetpollDescriptor;
import io.netpoll.spring.actuate.endpoint.NetpollEndpoint.ServerDescriptor;
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
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link NetpollEndpointAutoConfiguration} and {@link NetpollEndpoint}: a real context
 * with real sockets, read through the endpoint bean and written as JSON.
 */
@Timeout(60)
class NetpollEndpointAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollEndpointAutoConfiguration.class))
            .withPropertyValues("netpoll.server.address=127.0.0.1", "netpoll.server.port=0");

    @Test
    void notExposedMeansNoEndpoint() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .run((context) -> assertThat(context).doesNotHaveBean(NetpollEndpoint.class));
    }

    @Test
    void backsOffWithoutActuator() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                .withPropertyValues("management.endpoints.web.exposure.include=netpoll")
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean("netpollEndpoint"));
    }

    @Test
    void showsServersPollersWorkersAndBuffersOfTheContext() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class, AdminHandler.class)
                .withPropertyValues(
                        "management.endpoints.web.exposure.include=netpoll",
                        "netpoll.buffer.max-direct-memory=64MB",
                        "netpoll.buffer.decay=20s",
                        "netpoll.servers.admin.address=127.0.0.1",
                        "netpoll.servers.admin.port=0",
                        "netpoll.servers.admin.max-connections=7")
                .run((context) -> {
                    NetpollEndpoint endpoint = context.getBean(NetpollEndpoint.class);
                    NetpollServer server = context.getBean("netpollServer", NetpollServer.class);
                    Dialer dialer = context.getBean(Dialer.class);
                    assertThat(NetpollTestClient.echo(dialer, server.getPort(), "endpoint"))
                            .isEqualTo("endpoint");
                    BufferPool pool = context.getBean(BufferPool.class);
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> pool.stats().outstandingNodes() == 0
                                    && server.getEventLoop().stats().connectionsActive() == 0);

                    NetpollDescriptor view = endpoint.netpoll();
                    assertThat(view.servers()).containsOnlyKeys("default", "admin");
                    ServerDescriptor main = view.servers().get("default");
                    assertThat(main.state()).isEqualTo("SERVING");
                    assertThat(main.network()).isEqualTo("tcp");
                    assertThat(main.address()).isEqualTo("127.0.0.1");
                    assertThat(main.port()).isEqualTo(server.getPort());
                    assertThat(main.connectionsAccepted()).isEqualTo(1);
                    assertThat(main.bytesIn()).isEqualTo("endpoint".length());
                    assertThat(main.bytesOut()).isEqualTo("endpoint".length());
                    assertThat(view.servers().get("admin").maxConnections()).isEqualTo(7);
                    assertThat(view.servers().get("admin").connectionsAccepted())
                            .isZero();
                    assertThat(view.pollers().running()).isPositive();
                    assertThat(view.pollers().registrations())
                            .as("two listeners at least")
                            .isGreaterThanOrEqualTo(2);
                    assertThat(view.workers().parallelism()).isPositive();
                    assertThat(view.buffers().maxDirectBytes()).isEqualTo(64L << 20);
                    assertThat(view.buffers().decayMillis()).isEqualTo(20_000);
                    assertThat(view.buffers().usedBytes()).isZero();
                    assertThat(view.buffers().pooledBytes())
                            .isEqualTo(pool.stats().pooledBytes())
                            .isPositive();
                    assertThat(view.buffers().sizeClasses()).hasSize(16);
                    assertThat(view.buffers().sizeClasses().stream()
                                    .mapToLong((c) -> c.pooledBytes())
                                    .sum())
                            .isEqualTo(view.buffers().pooledBytes());

                    // As Actuator writes it: the four top-level keys, in order, with numbers.
                    JsonNode json = JsonMapper.builder().build().valueToTree(view);
                    assertThat(json.propertyNames()).containsExactly("servers", "pollers", "workers", "buffers");
                    assertThat(json.at("/servers/default/port").asInt()).isEqualTo(server.getPort());
                    assertThat(json.at("/buffers/sizeClasses/0/nodeSize").asLong())
                            .isEqualTo(BufferPool.MIN_NODE_SIZE);
                    assertThat(json.at("/workers/poolSize").isNumber()).isTrue();
                });
    }

    @NetpollHandler
    static class DefaultHandler extends EchoHandler {}

    @NetpollHandler("admin")
    static class AdminHandler extends EchoHandler {}
}
