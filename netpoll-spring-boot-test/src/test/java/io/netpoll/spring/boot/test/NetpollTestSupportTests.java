package io.netpoll.spring.boot.test;

import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A {@code @SpringBootTest} as an application writes it: random ports despite the fixed ones in
 * application.properties, the ports injected, the test client.
 */
@SpringBootTest
@Timeout(60)
class NetpollTestSupportTests {

    @LocalNetpollPort
    int port;

    @LocalNetpollPort("frames")
    int framesPort;

    @Autowired
    NetpollTestClient client;

    @Autowired
    NetpollServers servers;

    @Test
    void serversListenOnRandomPortsThatAreInjected() {
        assertThat(this.port)
                .isPositive()
                .isNotEqualTo(8888)
                .isEqualTo(this.servers.get("default").getPort());
        assertThat(this.framesPort)
                .isPositive()
                .isNotEqualTo(8889)
                .isEqualTo(this.servers.get("frames").getPort());
    }

    @Test
    void clientExchangesLinesWithTheDefaultServer() {
        try (NetpollTestClient.Session session = this.client.dial()) {
            assertThat(session.sendLine("hello").readLine()).isEqualTo("HELLO");
            session.send("two\nlines\n");
            assertThat(session.readLine()).isEqualTo("TWO");
            assertThat(session.readLine()).isEqualTo("LINES");
        }
    }

    @Test
    void clientExchangesFramesWithANamedServer() {
        try (NetpollTestClient.Session session = this.client.dial("frames")) {
            byte[] reply =
                    session.sendFrame("abc".getBytes(StandardCharsets.UTF_8)).readFrame();
            assertThat(reply).asString(StandardCharsets.UTF_8).isEqualTo("cba");
            assertThat(session.sendFrame(new byte[0]).readFrame()).isEmpty();
        }
    }

    @Test
    void aServerThatDoesNotAnswerFailsTheReadWithinTheTimeout() {
        try (NetpollTestClient.Session session =
                this.client.withTimeout(Duration.ofMillis(200)).dial()) {
            session.send("no end of line");
            assertThatExceptionOfType(AssertionError.class)
                    .isThrownBy(session::readLine)
                    .withMessageContaining("No reply within 200 ms");
        }
    }

    @Test
    void dialingAnUnknownServerNamesTheServersThereAre() {
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> this.client.dial("nope"))
                .withMessageContaining("No netpoll server 'nope'")
                .withMessageContaining("[default, frames]");
    }
}
