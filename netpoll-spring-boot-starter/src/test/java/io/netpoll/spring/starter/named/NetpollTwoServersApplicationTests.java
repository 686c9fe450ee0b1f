package io.netpoll.spring.starter.named;

import io.micrometer.core.instrument.MeterRegistry;
import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.EventLoop;
import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end with two named servers: each serves its own handler on its own port, has its
 * own health child and its own meters (tag {@code server}), and its {@code EventLoop} is an
 * injectable bean.
 */
@SpringBootTest(
        properties = {
            "netpoll.server.address=127.0.0.1",
            "netpoll.server.port=0",
            "netpoll.servers.admin.address=127.0.0.1",
            "netpoll.servers.admin.port=0",
            "netpoll.servers.admin.connection.read-timeout=5s",
            "management.endpoint.health.show-details=always"
        })
@Timeout(60)
class NetpollTwoServersApplicationTests {

    @Autowired
    private Dialer dialer;

    @Autowired
    private HealthEndpoint healthEndpoint;

    @Autowired
    private MeterRegistry meterRegistry;

    @Autowired
    private NetpollServers servers;

    @Autowired
    @Qualifier("netpollEventLoop.admin") private EventLoop adminEventLoop;

    @Value("${local.netpoll.server.port}")
    private int apiPort;

    @Value("${local.netpoll.server.admin.port}")
    private int adminPort;

    @Test
    void eachServerServesItsOwnHandlerWithItsOwnHealthAndMeters() throws Exception {
        assertThat(this.apiPort).isNotEqualTo(this.adminPort);
        assertThat(this.servers.asMap()).containsOnlyKeys("default", "admin");
        assertThat(this.servers.get("admin").getEventLoop()).isSameAs(this.adminEventLoop);
        assertThat(exchange(this.apiPort, "x", 5)).isEqualTo("api:x");
        assertThat(exchange(this.adminPort, "y", 7)).isEqualTo("admin:y");
        assertThat(exchange(this.adminPort, "z", 7)).isEqualTo("admin:z");

        CompositeHealthDescriptor netpoll = (CompositeHealthDescriptor) this.healthEndpoint.healthForPath("netpoll");
        assertThat(netpoll.getStatus()).isEqualTo(Status.UP);
        assertThat(netpoll.getComponents()).containsOnlyKeys("default", "admin");
        assertThat(this.healthEndpoint.healthForPath("netpoll", "admin").getStatus())
                .isEqualTo(Status.UP);

        assertThat(this.meterRegistry
                        .get("netpoll.server.connections.accepted")
                        .tag("server", "default")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
        assertThat(this.meterRegistry
                        .get("netpoll.server.connections.accepted")
                        .tag("server", "admin")
                        .functionCounter()
                        .count())
                .isEqualTo(2);
    }

    private String exchange(int port, String message, int replyLength) throws Exception {
        try (Connection connection = this.dialer.dialConnection("tcp", "127.0.0.1:" + port, Duration.ofSeconds(5))) {
            connection.setReadTimeout(Duration.ofSeconds(20));
            connection.writer().writeString(message, StandardCharsets.UTF_8);
            connection.writer().flush();
            String reply = connection.reader().readString(replyLength, StandardCharsets.UTF_8);
            connection.reader().release();
            return reply;
        }
    }
}
