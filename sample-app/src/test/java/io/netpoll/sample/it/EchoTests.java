package io.netpoll.sample.it;

import io.netpoll.spring.boot.test.LocalNetpollPort;
import io.netpoll.spring.boot.test.NetpollTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The echo server through the test support (netpoll-spring-boot-test): no port properties, the
 * servers listen on random ports all the same (application.properties says 8888, 6380, 6381, 6390).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@Timeout(60)
class EchoTests {

    @Autowired
    NetpollTestClient client;

    @LocalNetpollPort("echo")
    int echoPort;

    @LocalNetpollPort("kv")
    int kvPort;

    @Test
    void serversListenOnRandomPorts() {
        assertThat(this.echoPort).isPositive().isNotEqualTo(8888);
        assertThat(this.kvPort).isPositive().isNotEqualTo(6380);
    }

    @Test
    void echoesWhatItIsSent() {
        try (NetpollTestClient.Session session = this.client.dial("echo")) {
            assertThat(session.send("hello").readString(5)).isEqualTo("hello");
            assertThat(session.sendLine("a line").readLine()).isEqualTo("a line");
        }
    }

    @Test
    void kvServerAnswersInlineCommands() {
        try (NetpollTestClient.Session session = this.client.dial("kv")) {
            assertThat(session.sendLine("PING").readLine()).isEqualTo("+PONG");
        }
    }
}
