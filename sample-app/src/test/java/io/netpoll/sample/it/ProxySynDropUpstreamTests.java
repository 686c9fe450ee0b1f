package io.netpoll.sample.it;

import io.netpoll.Dialer;
import io.netpoll.spring.server.NetpollServers;
import io.netpoll.testing.PeerIo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

import static io.netpoll.sample.it.ProxyBadUpstreamSupport.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upstream whose listen backlog is full and that never accepts: the kernel drops further
 * SYNs, so a dial hangs. The proxy's connect timeout closes the client's session.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "sample.proxy.connect-timeout=500ms", "sample.proxy.idle-timeout=500ms", "sample.proxy.write-timeout=500ms",
            "netpoll.servers.echo.port=0", "netpoll.servers.kv.port=0", "netpoll.servers.proxy.port=0"
        })
class ProxySynDropUpstreamTests {

    private static final ServerSocket FULL;
    private static final List<Socket> FILLERS = new ArrayList<>();

    static {
        try {
            FULL = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); // never accepts
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("sample.proxy.upstream-port", FULL::getLocalPort);
    }

    @BeforeAll
    static void fillTheBacklog() throws IOException {
        // Connect until a connect hangs: from then on the accept queue is full and SYNs are dropped.
        for (int i = 0; i < 64; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), FULL.getLocalPort()), 300);
                FILLERS.add(s);
            } catch (SocketTimeoutException full) {
                s.close();
                return;
            }
        }
        throw new IllegalStateException("the backlog never filled: cannot play a SYN-dropping upstream here");
    }

    @AfterAll
    static void release() throws IOException {
        for (Socket s : FILLERS) {
            s.close();
        }
        FULL.close();
    }

    @Autowired
    NetpollServers servers;

    @Autowired
    Dialer dialer;

    @Test
    void aHangingDialClosesTheClientAfterTheConnectTimeout() throws Exception {
        long start = System.nanoTime();
        try (Socket c = ProxyBadUpstreamSupport.client(SampleServers.port(servers, "proxy"))) {
            PeerIo.writeQuietly(c.getOutputStream(), "PING\r\n".getBytes());
            PeerIo.Ending end = PeerIo.readToEnd(c.getInputStream());
            assertThat(end.bytes()).isEmpty();
        }
        assertThat(System.nanoTime() - start).isLessThan(BOUND.toNanos());
        assertThat(dialer.stats().connectionsActive()).isZero();
    }
}
