package io.netpoll.spring.starter.single;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.server.NetpollServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application started the way {@code main} starts it, then closed (what SIGTERM does)
 * while a request is in flight: the server stops accepting, the request completes, and the
 * drain ends well within the grace period.
 */
@Timeout(60)
class NetpollStarterShutdownTests {

    @Test
    void closingTheApplicationLetsTheInFlightRequestFinishWithinTheGracePeriod() throws Exception {
        // The client is on its own pollers, which outlive the application's.
        try (PollerGroup clientGroup = PollerGroup.create(1)) {
            ConfigurableApplicationContext context = SpringApplication.run(
                    EchoApplication.class,
                    "--netpoll.server.address=127.0.0.1",
                    "--netpoll.server.port=0",
                    "--netpoll.server.shutdown.grace-period=10s",
                    "--spring.main.banner-mode=off");
            NetpollServer server = context.getBean(NetpollServer.class);
            EchoApplication.Echo echo = context.getBean(EchoApplication.Echo.class);
            PollerGroup pollers = context.getBean(PollerGroup.class);
            int port = context.getEnvironment().getProperty("local.netpoll.server.port", Integer.class);
            Dialer client = Netpoll.newDialer(Option.pollerGroup(clientGroup));
            try (Connection slow = client.dialConnection("tcp", "127.0.0.1:" + port, Duration.ofSeconds(5))) {
                slow.setReadTimeout(Duration.ofSeconds(20));
                CompletableFuture<String> reply = async(() -> send(slow, "Slow request"));
                assertThat(echo.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
                CompletableFuture<Boolean> refusedWhileDraining = async(() -> {
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> server.getState() == NetpollServer.State.DRAINING);
                    boolean refused = !server.isListening();
                    echo.release.countDown();
                    return refused;
                });
                long start = System.nanoTime();
                context.close();
                Duration drain = Duration.ofNanos(System.nanoTime() - start);
                assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("Slow request");
                assertThat(refusedWhileDraining.get(10, TimeUnit.SECONDS)).isTrue();
                assertThat(drain).isLessThan(server.getGracePeriod());
                assertThat(server.getShutdownResult().graceful()).isTrue();
                assertThat(server.getShutdownResult().drained()).isEqualTo(1);
                assertThat(server.getState()).isEqualTo(NetpollServer.State.STOPPED);
                assertThat(pollers.isClosed()).isTrue();
            }
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(BufferPool.defaultPool().stats().outstandingNodes())
                        .isZero());
    }

    private static String send(Connection connection, String message) {
        try {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            connection.writer().writeBinary(bytes, 0, bytes.length);
            connection.writer().flush();
            String reply = connection.reader().readString(bytes.length, StandardCharsets.UTF_8);
            connection.reader().release();
            return reply;
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
