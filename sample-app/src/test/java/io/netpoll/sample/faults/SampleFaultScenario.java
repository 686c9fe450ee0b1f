package io.netpoll.sample.faults;

import io.netpoll.Dialer;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.BufferLeakCheckExtension;
import io.netpoll.faults.ScenarioCheck;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServers;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Base of the fault-injection scenarios against the sample's real servers (echo, kv, proxy),
 * started by Spring Boot on ephemeral loopback ports, with a 1 MB input limit per connection so
 * that memory bounds are visible. Every subclass with these properties shares one context.
 *
 * <p>After every test, the peers it registered ({@link #peer}) are closed, then netpoll-core's
 * {@link ScenarioCheck} verifies that every server and the proxy's dialer are back to zero
 * connections, that no poller thread was lost and that only the servers' listeners remain
 * registered; then {@link BufferLeakCheckExtension} checks that no buffer node is outstanding.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "netpoll.servers.echo.port=0",
            "netpoll.servers.kv.port=0",
            "netpoll.servers.proxy.port=0",
            "netpoll.servers.echo.connection.max-input-buffer=1MB",
            "netpoll.servers.kv.connection.max-input-buffer=1MB",
            "netpoll.servers.proxy.connection.max-input-buffer=1MB"
        })
@ExtendWith(BufferLeakCheckExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class SampleFaultScenario {

    @Autowired
    NetpollServers servers;

    @Autowired
    PollerGroup pollerGroup;

    @Autowired
    Dialer dialer;

    /** For blocking peers and helpers. */
    protected final ExecutorService exec = Executors.newCachedThreadPool();

    private final List<AutoCloseable> peers = new ArrayList<>();

    @AfterEach
    void afterEveryScenario(TestInfo info) throws Exception {
        try {
            for (AutoCloseable p : peers) {
                p.close();
            }
            ScenarioCheck check = ScenarioCheck.after(info.getDisplayName());
            for (NetpollServer server : servers.all()) {
                check.eventLoop(server.getName(), server.getEventLoop());
            }
            check.dialer("proxy upstream", dialer)
                    .pollers(pollerGroup, servers.all().size())
                    .verify(Duration.ofSeconds(15));
        } finally {
            exec.shutdownNow();
        }
    }

    /** Awaitility, looking at once and then every 5 ms (its defaults first look after 100 ms). */
    protected static ConditionFactory await() {
        return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    NetpollServer server(String name) {
        return servers.get(name);
    }

    int port(String name) {
        return server(name).getPort();
    }

    /** Closed after the test, before the check. */
    <T extends AutoCloseable> T peer(T c) {
        peers.add(c);
        return c;
    }

    /** A connected plain socket, closed after the test. */
    Socket socket(String server) throws IOException {
        return socket(server, 0);
    }

    /** As {@link #socket(String)}, with a small receive buffer if {@code receiveBuffer > 0} (set before connecting). */
    Socket socket(String server, int receiveBuffer) throws IOException {
        Socket s = peer(new Socket());
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port(server)), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }
}
