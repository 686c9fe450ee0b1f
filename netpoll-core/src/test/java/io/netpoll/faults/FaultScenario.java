package io.netpoll.faults;

import io.netpoll.Dialer;
import io.netpoll.DialerConfig;
import io.netpoll.DialerOption;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.OnRequest;
import io.netpoll.PollerGroup;
import io.netpoll.ServerConfig;
import io.netpoll.ServerOption;
import io.netpoll.buffer.BufferPool;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Base of the fault-injection scenarios against bare netpoll-core servers (loopback only).
 *
 * <p>Each test gets its own poller group (two pollers). After every test, in this order: the
 * peers the test registered ({@link #peer}) are closed, then {@link ScenarioCheck} verifies that
 * every server and dialer of the test is back to zero connections, that no poller thread was
 * lost and that only listeners remain registered; then the servers shut down, the group closes,
 * and no buffer node may be outstanding, in the default pool or in a pool of the test's own
 * ({@link #ownPool}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class FaultScenario {
    private static final Duration CLEAN_WITHIN = Duration.ofSeconds(15);

    protected PollerGroup group;
    /** For blocking peers and helpers: the common pool may have a single thread on small machines. */
    protected final ExecutorService exec = Executors.newCachedThreadPool();

    private final List<AutoCloseable> peers = new ArrayList<>();
    private final List<Server> servers = new ArrayList<>();
    private final List<Dialer> dialers = new ArrayList<>();
    private final List<BufferPool> pools = new ArrayList<>();
    private long nodesBefore;

    /** A running server on 127.0.0.1 with an ephemeral port. */
    protected record Server(EventLoop loop, Listener listener, CompletableFuture<Void> serving) {
        int port() {
            return listener.port();
        }
    }

    @BeforeEach
    void createGroup() {
        group = PollerGroup.create(2);
        nodesBefore = BufferPool.defaultPool().stats().outstandingNodes();
    }

    @AfterEach
    void afterEveryScenario(TestInfo info) throws Exception {
        String name = info.getDisplayName();
        try {
            for (AutoCloseable p : peers) {
                p.close();
            }
            ScenarioCheck check = ScenarioCheck.after(name);
            for (int i = 0; i < servers.size(); i++) {
                check.eventLoop("#" + i, servers.get(i).loop());
            }
            for (int i = 0; i < dialers.size(); i++) {
                check.dialer("#" + i, dialers.get(i));
            }
            // Servers shut down by the test have closed their listeners.
            check.pollers(group, () ->
                    (int) servers.stream().filter(s -> s.listener().isOpen()).count());
            check.verify(CLEAN_WITHIN);
        } finally {
            for (Server s : servers) {
                s.loop().shutdown(Duration.ofSeconds(2));
            }
            group.close();
            exec.shutdownNow();
        }
        ScenarioCheck.assertNoOutstandingNodes(name, nodesBefore, Duration.ofSeconds(10));
        for (BufferPool pool : pools) {
            ScenarioCheck.assertNoOutstandingNodes(pool, name + " (own pool)", 0, Duration.ofSeconds(10));
        }
    }

    /** Awaitility, looking at once and then every 5 ms (its defaults first look after 100 ms). */
    protected static ConditionFactory await() {
        return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    protected Server startServer(OnRequest<?> onRequest, ServerOption... options) throws IOException {
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        EventLoop loop = Netpoll.newEventLoop(
                onRequest,
                ServerConfig.builder().apply(options).pollerGroup(group).build());
        CompletableFuture<Void> serving = loop.serveAsync(listener);
        Server server = new Server(loop, listener, serving);
        servers.add(server);
        return server;
    }

    protected Dialer dialer(DialerOption... options) {
        Dialer d = Netpoll.newDialer(
                DialerConfig.builder().apply(options).pollerGroup(group).build());
        dialers.add(d);
        return d;
    }

    /** A buffer pool for the test's servers, to measure their memory; checked for leaks afterwards. */
    protected BufferPool ownPool() {
        BufferPool pool = BufferPool.create(64 << 20);
        pools.add(pool);
        return pool;
    }

    /** Closed after the test, before the check. */
    protected <T extends AutoCloseable> T peer(T c) {
        peers.add(c);
        return c;
    }

    /** A connected plain socket (the peer under test's control), closed after the test. */
    protected Socket socket(int port) throws IOException {
        return socket(port, 0);
    }

    /**
     * As {@link #socket(int)}, with a small receive buffer if {@code receiveBuffer > 0} (set
     * before connecting: the TCP window is agreed at connect, and shrinking the buffer later makes
     * the kernel drop data it already allowed).
     */
    protected Socket socket(int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        peer(s);
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }
}
