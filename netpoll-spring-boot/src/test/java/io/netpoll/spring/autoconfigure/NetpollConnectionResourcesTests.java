package io.netpoll.spring.autoconfigure;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.OnPrepare;
import io.netpoll.buffer.BufferPool;
import io.netpoll.internal.SocketOptionProbe;
import io.netpoll.spring.annotation.NetpollHandler;
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

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the connections of a context get from {@code netpoll.buffer.*} and the socket buffer
 * properties: memory from the context's {@link BufferPool}, and SO_SNDBUF/SO_RCVBUF read back
 * from the sockets themselves (through netpoll-core's test-jar probe). Loopback only.
 */
@Timeout(60)
class NetpollConnectionResourcesTests {

    private static final int SERVER_SEND = 40_000;

    private static final int SERVER_RECEIVE = 50_000;

    private static final int DIALER_SEND = 45_000;

    private static final int DIALER_RECEIVE = 55_000;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(
                    AutoConfigurations.of(NetpollAutoConfiguration.class, NetpollServerAutoConfiguration.class))
            .withPropertyValues("netpoll.server.address=127.0.0.1", "netpoll.server.port=0");

    @Test
    void serverAndDialerConnectionsGetTheConfiguredSocketBufferSizes() {
        this.contextRunner
                .withUserConfiguration(CapturingHandler.class)
                .withPropertyValues(
                        "netpoll.server.send-buffer-size=" + SERVER_SEND + "B",
                        "netpoll.server.receive-buffer-size=" + SERVER_RECEIVE + "B",
                        "netpoll.dialer.send-buffer-size=" + DIALER_SEND + "B",
                        "netpoll.dialer.receive-buffer-size=" + DIALER_RECEIVE + "B")
                .run((context) -> {
                    int port = context.getBean(NetpollServer.class).getPort();
                    try (Connection client = NetpollTestClient.connect(context.getBean(Dialer.class), port)) {
                        Connection server =
                                context.getBean(CapturingHandler.class).accepted.get(10, TimeUnit.SECONDS);
                        assertThat(SocketOptionProbe.get(server, StandardSocketOptions.SO_SNDBUF))
                                .isEqualTo(reported(StandardSocketOptions.SO_SNDBUF, SERVER_SEND))
                                .isNotEqualTo(reported(StandardSocketOptions.SO_SNDBUF, null));
                        assertThat(SocketOptionProbe.get(server, StandardSocketOptions.SO_RCVBUF))
                                .isEqualTo(reported(StandardSocketOptions.SO_RCVBUF, SERVER_RECEIVE))
                                .isNotEqualTo(reported(StandardSocketOptions.SO_RCVBUF, null));
                        assertThat(SocketOptionProbe.get(client, StandardSocketOptions.SO_SNDBUF))
                                .isEqualTo(reported(StandardSocketOptions.SO_SNDBUF, DIALER_SEND));
                        assertThat(SocketOptionProbe.get(client, StandardSocketOptions.SO_RCVBUF))
                                .isEqualTo(reported(StandardSocketOptions.SO_RCVBUF, DIALER_RECEIVE));
                        assertThat(NetpollTestClient.send(client, "sized")).isEqualTo("sized");
                    }
                });
    }

    @Test
    void withoutTheSocketBufferPropertiesTheOsDefaultsStay() {
        this.contextRunner.withUserConfiguration(CapturingHandler.class).run((context) -> {
            int port = context.getBean(NetpollServer.class).getPort();
            try (Connection client = NetpollTestClient.connect(context.getBean(Dialer.class), port)) {
                Connection server =
                        context.getBean(CapturingHandler.class).accepted.get(10, TimeUnit.SECONDS);
                assertThat(SocketOptionProbe.get(server, StandardSocketOptions.SO_SNDBUF))
                        .isNotEqualTo(reported(StandardSocketOptions.SO_SNDBUF, SERVER_SEND));
                assertThat(SocketOptionProbe.get(client, StandardSocketOptions.SO_RCVBUF))
                        .isNotEqualTo(reported(StandardSocketOptions.SO_RCVBUF, DIALER_RECEIVE));
            }
        });
    }

    @Test
    void serversAndTheDialerTakeBufferMemoryFromTheContextsPool() {
        this.contextRunner.withUserConfiguration(CapturingHandler.class).run((context) -> {
            BufferPool pool = context.getBean(BufferPool.class);
            assertConnectionsUse(
                    pool,
                    context.getBean(Dialer.class),
                    context.getBean(NetpollServer.class).getPort(),
                    context.getBean(CapturingHandler.class));
        });
    }

    @Test
    void anApplicationsBufferPoolIsUsedByServersAndTheDialer() {
        this.contextRunner
                .withUserConfiguration(CapturingHandler.class, UserBufferPool.class)
                .run((context) -> {
                    BufferPool pool = context.getBean("myBufferPool", BufferPool.class);
                    assertConnectionsUse(
                            pool,
                            context.getBean(Dialer.class),
                            context.getBean(NetpollServer.class).getPort(),
                            context.getBean(CapturingHandler.class));
                });
    }

    /**
     * The dialer's unflushed output, then the server's unreleased input (held by a slow request),
     * are nodes outstanding in {@code pool}: each side takes its memory there.
     */
    private static void assertConnectionsUse(BufferPool pool, Dialer dialer, int port, CapturingHandler handler)
            throws Exception {
        assertThat(pool.stats().outstandingNodes()).isZero();
        try (Connection client = NetpollTestClient.connect(dialer, port)) {
            client.writer().writeString("S-slow");
            assertThat(pool.stats().outstandingNodes())
                    .as("the dialer's output buffer")
                    .isPositive();
            client.writer().flush();
            assertThat(handler.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.stats().outstandingNodes())
                    .as("the server's input, held by the running request")
                    .isPositive();
            handler.release.countDown();
            assertThat(NetpollTestClient.receive(client, 6)).isEqualTo("S-slow");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().outstandingNodes() == 0);
        assertThat(pool.stats().pooledBytes())
                .as("memory given back to the context's pool")
                .isPositive();
    }

    static int reported(SocketOption<Integer> option, Integer size) throws IOException {
        try (SocketChannel reference = SocketChannel.open()) {
            if (size != null) {
                reference.setOption(option, size);
            }
            return reference.getOption(option);
        }
    }

    @NetpollHandler
    static class CapturingHandler extends EchoHandler implements OnPrepare {

        final CompletableFuture<Connection> accepted = new CompletableFuture<>();

        @Override
        public Object prepare(Connection connection) {
            this.accepted.complete(connection);
            return null;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBufferPool {

        @Bean
        BufferPool myBufferPool() {
            return BufferPool.create(1 << 20);
        }
    }
}
