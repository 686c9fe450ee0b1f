package io.netpoll.sample.it;

import io.netpoll.Dialer;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.netpoll.sample.it.ProxyBadUpstreamSupport.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that resets while the proxy forwards its bytes to an upstream that never reads (the
 * forward waits for the upstream's full socket): the proxy closes both sides at once, long before
 * the 60 s write timeout, and nothing leaks.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "sample.proxy.connect-timeout=2s",
            "sample.proxy.idle-timeout=60s",
            "sample.proxy.write-timeout=60s",
            "netpoll.dialer.send-buffer-size=8KB",
            "netpoll.servers.echo.port=0",
            "netpoll.servers.kv.port=0",
            "netpoll.servers.proxy.port=0"
        })
class ProxyClientResetTests {

    /** Its accepted sockets are held open, never read; a small receive window. */
    private static final ProxyBadUpstreamSupport.HoldingUpstream UPSTREAM =
            new ProxyBadUpstreamSupport.HoldingUpstream("never-reading-upstream", 4096);

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
    void aClientResetClosesBothSidesAtOnceWhileTheForwardWaitsForTheUpstream() throws Exception {
        for (int i = 0; i < 3; i++) {
            Socket c = ProxyBadUpstreamSupport.client(SampleServers.port(servers, "proxy"));
            // 512 KB: far more than the upstream's window and the proxy's 8 KB send buffer take, so
            // the forward waits; less than the proxy's 1 MB input limit, so the proxy still reads
            // this client (and sees its reset).
            c.getOutputStream().write(new byte[512 * 1024]);
            Socket upstream = UPSTREAM.accepted().poll(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(upstream).as("the proxy dialed the upstream").isNotNull();
            // The forward is stuck once the proxy has buffered what the upstream path cannot take.
            long sent = (i + 1) * 512L * 1024;
            await().atMost(BOUND)
                    .until(() -> servers.get("proxy").getEventLoop().stats().bytesIn() >= sent);
            long start = System.nanoTime();
            c.setSoLinger(true, 0);
            c.close(); // RST
            // Both sides close at once: the upstream is not read meanwhile (that would free the forward).
            await().atMost(BOUND)
                    .until(() -> dialer.stats().connectionsActive() == 0
                            && servers.get("proxy").getEventLoop().stats().connectionsActive() == 0);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("far within the 60 s write timeout")
                    .isLessThan(BOUND);
            upstream.setSoTimeout((int) BOUND.toMillis());
            assertThat(endsWithin(upstream.getInputStream()))
                    .as("the upstream sees the close")
                    .isTrue();
            upstream.close();
        }
        await().atMost(BOUND).until(() -> bufferPool.stats().outstandingNodes() == 0);
    }

    /** Reads what the proxy had sent until its close shows: EOF or a reset (a timeout fails). */
    private static boolean endsWithin(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        try {
            while (in.read(buf) >= 0) {
                // what was in flight before the close
            }
        } catch (SocketException reset) {
            return true;
        }
        return true;
    }
}
