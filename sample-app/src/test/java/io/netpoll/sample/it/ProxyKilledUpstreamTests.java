package io.netpoll.sample.it;

import io.netpoll.Dialer;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.server.NetpollServers;
import io.netpoll.testing.PeerIo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

import static io.netpoll.sample.it.ProxyBadUpstreamSupport.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An upstream killed mid-session (kill -9: the kernel resets its sockets, played here with
 * SO_LINGER 0 and close): the proxy closes the client, and nothing leaks.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "sample.proxy.connect-timeout=500ms", "sample.proxy.idle-timeout=30s", "sample.proxy.write-timeout=500ms",
            "netpoll.servers.echo.port=0", "netpoll.servers.kv.port=0", "netpoll.servers.proxy.port=0"
        })
class ProxyKilledUpstreamTests {

    /** Reads the first request, answers it, then dies abruptly. */
    private static final ProxyBadUpstreamSupport.HoldingUpstream UPSTREAM =
            new ProxyBadUpstreamSupport.HoldingUpstream("killed-upstream", 0, s -> {
                InputStream in = s.getInputStream();
                byte[] request = new byte[6];
                in.readNBytes(request, 0, request.length);
                s.getOutputStream().write("+PONG\r\n".getBytes());
                s.setSoLinger(true, 0);
                s.close(); // RST
            });

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("sample.proxy.upstream-port", UPSTREAM::port);
    }

    @AfterAll
    static void close() throws IOException {
        UPSTREAM.close();
    }

    @Autowired
    NetpollServers servers;

    @Autowired
    Dialer dialer;

    @Autowired
    BufferPool bufferPool;

    @Test
    void theClientIsClosedWhenTheUpstreamDiesAndNothingLeaks() throws Exception {
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            try (Socket c = ProxyBadUpstreamSupport.client(SampleServers.port(servers, "proxy"))) {
                c.getOutputStream().write("PING\r\n".getBytes());
                PeerIo.Ending end = PeerIo.readToEnd(c.getInputStream());
                // The reply may or may not get through before the reset reaches the proxy.
                assertThat(new String(end.bytes())).isIn("", "+PONG\r\n");
            }
            assertThat(System.nanoTime() - start).isLessThan(BOUND.toNanos());
        }
        await().atMost(BOUND).until(() -> dialer.stats().connectionsActive() == 0);
        await().atMost(BOUND).until(() -> bufferPool.stats().outstandingNodes() == 0);
    }
}
