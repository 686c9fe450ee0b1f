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
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.netpoll.sample.it.ProxyBadUpstreamSupport.BOUND;
import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An upstream that accepts and never reads or writes (a blackhole): the proxy's clients are
 * closed within the timeouts, and the proxy's buffer memory stays bounded while clients flood it.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "sample.proxy.connect-timeout=500ms", "sample.proxy.idle-timeout=500ms", "sample.proxy.write-timeout=500ms",
            "netpoll.servers.echo.port=0", "netpoll.servers.kv.port=0", "netpoll.servers.proxy.port=0"
        })
class ProxyBlackholeUpstreamTests {

    private static final ProxyBadUpstreamSupport.HoldingUpstream BLACKHOLE =
            new ProxyBadUpstreamSupport.HoldingUpstream("blackhole-acceptor", 0);

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("sample.proxy.upstream-port", BLACKHOLE::port);
    }

    @AfterAll
    static void closeBlackhole() throws IOException {
        BLACKHOLE.close();
    }

    @Autowired
    NetpollServers servers;

    @Autowired
    Dialer dialer;

    @Autowired
    BufferPool bufferPool;

    @Test
    void aClientWaitingForAReplyIsClosedAfterTheIdleTimeout() throws Exception {
        try (Socket c = ProxyBadUpstreamSupport.client(SampleServers.port(servers, "proxy"))) {
            long start = System.nanoTime();
            c.getOutputStream().write("PING\r\n".getBytes());
            PeerIo.Ending end = PeerIo.readToEnd(c.getInputStream());
            assertThat(end.bytes()).isEmpty();
            assertThat(System.nanoTime() - start).isLessThan(BOUND.toNanos());
        }
        await().atMost(BOUND).until(() -> dialer.stats().connectionsActive() == 0);
    }

    @Test
    void floodingClientsAreClosedAndTheProxysMemoryStaysBounded() throws Exception {
        int clients = 8;
        long bound = clients * 6L * 1024 * 1024; // 1 MB input limit per side, a few of them per session
        long before = bufferPool.stats().usedBytes();
        AtomicLong maxUsed = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean flooding = new java.util.concurrent.atomic.AtomicBoolean(true);
        CompletableFuture<Void> sampler = async(() -> {
            while (flooding.get()) { // a measurement, not a synchronisation: sample the memory every millisecond
                maxUsed.accumulateAndGet(bufferPool.stats().usedBytes() - before, Math::max);
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        });
        CompletableFuture<?>[] floods = new CompletableFuture<?>[clients];
        for (int i = 0; i < clients; i++) {
            floods[i] = async(() -> {
                try (Socket c = ProxyBadUpstreamSupport.client(SampleServers.port(servers, "proxy"))) {
                    OutputStream out = c.getOutputStream();
                    byte[] chunk = new byte[64 * 1024];
                    for (int k = 0; k < 32 * 16; k++) { // 32 MB per client, far more than the proxy may hold
                        maxUsed.accumulateAndGet(bufferPool.stats().usedBytes() - before, Math::max);
                        if (!PeerIo.writeQuietly(out, chunk)) {
                            return; // the proxy closed the session
                        }
                    }
                    // Everything was taken (kernel buffers): the session must still end.
                    PeerIo.readToEnd(c.getInputStream());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
        }
        CompletableFuture.allOf(floods).get(BOUND.toSeconds() * 3, TimeUnit.SECONDS);
        flooding.set(false);
        sampler.get(10, TimeUnit.SECONDS);
        assertThat(maxUsed.get()).as("proxy buffer memory during the flood").isLessThanOrEqualTo(bound);
        await().atMost(BOUND).until(() -> dialer.stats().connectionsActive() == 0);
        await().atMost(BOUND).until(() -> bufferPool.stats().usedBytes() <= before);
    }
}
