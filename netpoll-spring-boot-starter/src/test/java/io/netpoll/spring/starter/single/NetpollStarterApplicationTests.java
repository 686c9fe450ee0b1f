package io.netpoll.spring.starter.single;

import io.micrometer.core.instrument.MeterRegistry;
import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.spring.server.NetpollServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end, as a user gets it: the starter plus Actuator, one {@code @NetpollHandler}, a
 * server on a free port, talked to through the injected {@link Dialer}; health UP, meters
 * moving. ({@link NetpollStarterShutdownTests} closes a context with a request in flight: a
 * {@code @SpringBootTest} context is owned by the test framework and must not be closed by
 * the test.)
 */
@SpringBootTest(
        properties = {
            "netpoll.server.address=127.0.0.1",
            "netpoll.server.port=0",
            "netpoll.server.shutdown.grace-period=10s",
            "management.endpoint.health.show-details=always",
            "management.endpoints.web.exposure.include=health,metrics",
            "management.endpoint.health.group.readiness.include=readinessState,netpoll"
        })
@Timeout(60)
class NetpollStarterApplicationTests {

    @Autowired
    private Dialer dialer;

    @Autowired
    private HealthEndpoint healthEndpoint;

    @Autowired
    private MeterRegistry meterRegistry;

    @Autowired
    private NetpollServer server;

    @Value("${local.netpoll.server.port}")
    private int port;

    @Test
    void servesThroughTheInjectedDialerWithHealthUpAndMetersMoving() throws Exception {
        assertThat(this.port).isPositive().isEqualTo(this.server.getPort());
        assertThat(serverThread().isDaemon())
                .as("serving thread keeps the JVM alive")
                .isFalse();

        try (Connection connection =
                this.dialer.dialConnection("tcp", "127.0.0.1:" + this.port, Duration.ofSeconds(5))) {
            assertThat(send(connection, "hello")).isEqualTo("hello");
            IndicatedHealthDescriptor health = (IndicatedHealthDescriptor) this.healthEndpoint.healthForPath("netpoll");
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("port", this.port).containsEntry("connections", 1L);
            assertThat(this.meterRegistry
                            .get("netpoll.server.connections.active")
                            .gauge()
                            .value())
                    .isEqualTo(1);
        }
        assertThat(this.meterRegistry
                        .get("netpoll.server.connections.accepted")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
        assertThat(this.meterRegistry
                        .get("netpoll.server.data.received")
                        .functionCounter()
                        .count())
                .isEqualTo(5);
        // The server counts sent bytes after its write call returns: the client may be faster.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(this.meterRegistry
                                .get("netpoll.server.data.sent")
                                .functionCounter()
                                .count())
                        .isEqualTo(5));
        assertThat(this.healthEndpoint.health().getStatus()).isEqualTo(Status.UP);
        assertThat(this.healthEndpoint.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
    }

    private Thread serverThread() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter((thread) -> thread.getName().equals("netpoll-server-default"))
                .findFirst()
                .orElseThrow();
    }

    private static String send(Connection connection, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        connection.writer().writeBinary(bytes, 0, bytes.length);
        connection.writer().flush();
        String reply = connection.reader().readString(bytes.length, StandardCharsets.UTF_8);
        connection.reader().release();
        return reply;
    }
}
