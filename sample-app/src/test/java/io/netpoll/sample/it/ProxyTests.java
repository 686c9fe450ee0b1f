package io.netpoll.sample.it;

import io.netpoll.Dialer;
import io.netpoll.spring.server.NetpollServers;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The proxy closes each side when the other closes, and passes bytes through unchanged. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"netpoll.servers.echo.port=0", "netpoll.servers.kv.port=0", "netpoll.servers.proxy.port=0"})
class ProxyTests {

    @Autowired
    NetpollServers servers;

    @Autowired
    Dialer dialer;

    private int proxy() {
        return SampleServers.port(servers, "proxy");
    }

    @Test
    void whenTheServerClosesTheClientIsClosed() throws Exception {
        try (RawClient c = new RawClient(proxy())) {
            assertThat(c.send("PING\r\nQUIT\r\nPING\r\n").readToEnd()).isEqualTo("+PONG\r\n+OK\r\n");
        }
        try (RawClient c = new RawClient(proxy())) {
            assertThat(c.send("*1\r\n$-5\r\n").readToEnd()).isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
        }
    }

    @Test
    void whenTheClientClosesTheUpstreamConnectionIsClosed() throws Exception {
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> dialer.stats().connectionsActive() == 0);
        try (RawClient a = new RawClient(proxy());
                RawClient b = new RawClient(proxy())) {
            assertThat(a.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
            assertThat(b.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
            assertThat(dialer.stats().connectionsActive()).isEqualTo(2);
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> dialer.stats().connectionsActive() == 0);
    }

    @Test
    void aClientThatSendsItsCommandsAndHalfClosesGetsTheRepliesThenEof() throws Exception {
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> dialer.stats().connectionsActive() == 0);
        try (RawClient c = new RawClient(proxy())) {
            // redis-cli < script: the commands, then FIN; the replies still come back.
            String replies = c.send(
                            "*3\r\n$3\r\nSET\r\n$8\r\nhalf:key\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$8\r\nhalf:key\r\n")
                    .shutdownOutput()
                    .readToEnd();
            assertThat(replies).isEqualTo("+OK\r\n$1\r\nv\r\n");
        }
        try (RawClient c = new RawClient(proxy())) {
            assertThat(c.send("GET half:key\r\nPING\r\n").shutdownOutput().readToEnd())
                    .isEqualTo("$1\r\nv\r\n+PONG\r\n");
        }
        // Both directions done: both connections of each session close.
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> dialer.stats().connectionsActive() == 0);
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> servers.get("proxy").getEventLoop().stats().connectionsActive() == 0);
    }

    @Test
    void bytesPassUnchangedBothWays() throws Exception {
        StringBuilder requests = new StringBuilder();
        StringBuilder replies = new StringBuilder();
        String value = "v".repeat(10_000);
        for (int i = 0; i < 200; i++) {
            requests.append("*3\r\n$3\r\nSET\r\n$7\r\nproxy:")
                    .append((char) ('a' + i % 26))
                    .append("\r\n$10000\r\n")
                    .append(value)
                    .append("\r\n*2\r\n$3\r\nGET\r\n$7\r\nproxy:")
                    .append((char) ('a' + i % 26))
                    .append("\r\n");
            replies.append("+OK\r\n$10000\r\n").append(value).append("\r\n");
        }
        try (RawClient c = new RawClient(proxy())) {
            Thread writer = new Thread(() -> {
                try {
                    c.send(requests.toString());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            assertThat(c.read(replies.length())).isEqualTo(replies.toString());
            writer.join(10_000);
        }
    }
}
