package io.netpoll.sample.it;

import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Over a real socket: a browser-style POST to the kv port is closed and its body never runs. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"netpoll.servers.echo.port=0", "netpoll.servers.kv.port=0", "netpoll.servers.proxy.port=0"})
class KvCrossProtocolTests {

    @Autowired
    NetpollServers servers;

    @Test
    void aBrowserStylePostDoesNotSetTheKey() throws Exception {
        int kv = SampleServers.port(servers, "kv");
        try (RawClient c = new RawClient(kv)) {
            String reply = c.send("POST / HTTP/1.1\r\nHost: 127.0.0.1:" + kv + "\r\nContent-Type: text/plain\r\n"
                            + "Content-Length: 15\r\n\r\nSET pwned yes\r\n")
                    .readToEnd();
            assertThat(reply).isEmpty(); // closed without a reply
        }
        try (RawClient c = new RawClient(kv)) {
            assertThat(c.send("EXISTS pwned\r\n").readLike(":0\r\n")).isEqualTo(":0\r\n");
        }
    }
}
