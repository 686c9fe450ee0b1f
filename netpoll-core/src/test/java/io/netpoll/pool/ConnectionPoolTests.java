package io.netpoll.pool;

import io.netpoll.Connection;
import io.netpoll.ConnectionClosedException;
import io.netpoll.Dialer;
import io.netpoll.EventLoop;
import io.netpoll.Option;
import io.netpoll.codec.LineFrameDecoder;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The pool against real loopback servers: reuse, limits, pending-acquire limit, validation of
 * idle connections (peer close, unasked input, idle time, lifetime), refusal at release,
 * close, dial failures, upstream restarts, and acquire/release races.
 */
class ConnectionPoolTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private Dialer dialer;
    /** The servers' event loops, in start order (shut down by the fixture). */
    private final List<EventLoop> loops = new ArrayList<>();

    @BeforeEach
    void setUp() {
        dialer = net.dialer(Option.readTimeout(Duration.ofSeconds(10)));
    }

    /** A line server: "ping" -> "pong", "bye" -> closes, "push" -> "pong" twice (the second unasked). */
    private String startServer() throws IOException {
        return startServer("127.0.0.1:0");
    }

    private String startServer(String address) throws IOException {
        Server server = net.startServer(
                "tcp",
                address,
                (ctx, c) -> {
                    LineFrameDecoder lines = (LineFrameDecoder) ctx;
                    ByteBuffer line;
                    while ((line = lines.tryNextFrame(c.reader())) != null) {
                        String cmd = StandardCharsets.UTF_8.decode(line).toString();
                        switch (cmd) {
                            case "ping" -> c.writer().writeString("pong\n");
                            case "push" -> c.writer().writeString("pong\npong\n");
                            case "bye" -> {
                                c.close();
                                return;
                            }
                            default -> c.writer().writeString("-ERR\n");
                        }
                    }
                    c.writer().flush();
                },
                Option.onPrepare(c -> {
                    LineFrameDecoder d = new LineFrameDecoder(1024);
                    c.addCloseCallback(closed -> d.close());
                    return d;
                }));
        loops.add(server.loop());
        return "127.0.0.1:" + server.port();
    }

    /** Closed after the test before the servers shut down. */
    private ConnectionPool pool(ConnectionPool.Builder b) {
        return net.peer(b.build());
    }

    private static String ping(PooledConnection lease) throws IOException {
        Connection c = lease.connection();
        c.writer().writeString("ping\n");
        c.writer().flush();
        return c.reader().readString(5).trim();
    }

    @Test
    void aReleasedConnectionIsReusedAndCounted() throws Exception {
        String address = startServer();
        ConnectionPool pool = pool(ConnectionPool.builder(dialer));
        Connection first;
        try (PooledConnection lease = pool.acquire(address)) {
            assertThat(ping(lease)).isEqualTo("pong");
            first = lease.connection();
            assertThat(pool.stats().active()).isEqualTo(1);
        }
        try (PooledConnection lease = pool.acquire(address)) {
            assertThat(lease.connection()).isSameAs(first);
            assertThat(ping(lease)).isEqualTo("pong");
        }
        ConnectionPoolStats s = pool.stats();
        assertThat(s.created()).isEqualTo(1);
        assertThat(s.acquired()).isEqualTo(2);
        assertThat(s.active()).isZero();
        assertThat(s.idle()).isEqualTo(1);
        assertThat(s.evicted()).isZero();
        assertThat(s.acquireTimeNanos()).isPositive();
        assertThat(pool.stats(address).created()).isEqualTo(1);
        assertThat(pool.addresses()).containsExactly(address);
    }

    @Test
    void atTheMaximumAnAcquireWaitsForAReleaseOrTimesOut() throws Exception {
        String address = startServer();
        ConnectionPool pool = pool(ConnectionPool.builder(dialer).maxConnections(1));
        PooledConnection lease = pool.acquire(address);
        assertThatThrownBy(() -> pool.acquire(address, Duration.ofMillis(50)))
                .isInstanceOf(AcquireTimeoutException.class)
                .hasMessageContaining(address);
        CompletableFuture<PooledConnection> waiter = async(() -> pool.acquire(address, Duration.ofSeconds(20)));
        await().until(() -> pool.stats().pending() == 1);
        Connection c = lease.connection();
        lease.release();
        PooledConnection second = waiter.get(10, TimeUnit.SECONDS);
        assertThat(second.connection()).isSameAs(c);
        assertThat(pool.stats().pending()).isZero();
        assertThat(pool.stats().acquireFailures()).isEqualTo(1);
        second.release();
        assertThat(pool.stats().created()).isEqualTo(1);
    }

    @Test
    void beyondThePendingLimitAnAcquireFailsFast() throws Exception {
        String address = startServer();
        ConnectionPool pool =
                pool(ConnectionPool.builder(dialer).maxConnections(1).maxPendingAcquires(1));
        PooledConnection lease = pool.acquire(address);
        CompletableFuture<PooledConnection> waiter = async(() -> pool.acquire(address, Duration.ofSeconds(20)));
        await().until(() -> pool.stats().pending() == 1);
        long start = System.nanoTime();
        assertThatThrownBy(() -> pool.acquire(address, Duration.ofSeconds(20)))
                .isInstanceOf(PendingAcquireLimitException.class)
                .hasMessageContaining("failing fast");
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        lease.release();
        waiter.get(10, TimeUnit.SECONDS).release();
    }

    @Test
    void releaseClosesAConnectionWithUnreadInput() throws Exception {
        String address = startServer();
        ConnectionPool pool = pool(ConnectionPool.builder(dialer));
        PooledConnection lease = pool.acquire(address);
        Connection c = lease.connection();
        c.writer().writeString("ping\n");
        c.writer().flush();
        await().until(() -> c.reader().len() == 5); // the reply, left unread
        lease.release();
        assertThat(c.isActive()).isFalse();
        assertThat(pool.stats().evicted()).isEqualTo(1);
        assertThat(pool.stats().idle()).isZero();
        try (PooledConnection next = pool.acquire(address)) {
            assertThat(next.connection()).isNotSameAs(c);
            assertThat(ping(next)).isEqualTo("pong");
        }
        lease.release(); // a stale second release is ignored
        assertThat(pool.stats().active()).isZero();
    }

    @Test
    void releaseClosesAConnectionWithUnflushedOutputAndDiscardCloses() throws Exception {
        String address = startServer();
        ConnectionPool pool = pool(ConnectionPool.builder(dialer));
        PooledConnection lease = pool.acquire(address);
        lease.connection().writer().writeString("half a req");
        lease.release();
        assertThat(lease.connection().isActive()).isFalse();
        PooledConnection other = pool.acquire(address);
        other.discard();
        assertThat(other.connection().isActive()).isFalse();
        assertThat(pool.stats().evicted()).isEqualTo(2);
        assertThat(pool.stats().created()).isEqualTo(2);
    }

    @Test
    void anIdleConnectionClosedByThePeerIsNotLent() throws Exception {
        String address = startServer();
        ConnectionPool pool = pool(ConnectionPool.builder(dialer));
        PooledConnection lease = pool.acquire(address);
        Connection c = lease.connection();
        c.writer().writeString("bye\n");
        c.writer().flush();
        lease.release(); // still open at this instant, most likely: it goes idle
        await().until(() -> !c.isActive());
        await().until(() -> pool.stats().idle() == 0); // the close callback took it out
        try (PooledConnection next = pool.acquire(address)) {
            assertThat(next.connection()).isNotSameAs(c);
            assertThat(ping(next)).isEqualTo("pong");
        }
        assertThat(pool.stats().evicted()).isEqualTo(1);
    }

    @Test
    void anIdleConnectionWithInputThatArrivedUnaskedIsNotLent() throws Exception {
        String address = startServer();
        ConnectionPool pool = pool(ConnectionPool.builder(dialer));
        PooledConnection lease = pool.acquire(address);
        Connection c = lease.connection();
        c.writer().writeString("push\n");
        c.writer().flush();
        assertThat(c.reader().readString(5)).isEqualTo("pong\n");
        c.reader().release();
        // The second, unasked "pong" may or may not have arrived at release: either way it must not be lent.
        lease.release();
        await().until(() -> !c.isActive() || c.reader().len() == 5);
        try (PooledConnection next = pool.acquire(address)) {
            assertThat(next.connection()).isNotSameAs(c);
            assertThat(ping(next)).isEqualTo("pong");
        }
        assertThat(c.isActive()).isFalse();
        assertThat(pool.stats().evicted()).isEqualTo(1);
    }

    @Test
    void connectionsOlderThanTheMaximumLifetimeAreClosedAtRelease() throws Exception {
        String address = startServer();
        ConnectionPool pool = pool(ConnectionPool.builder(dialer).maxLifetime(Duration.ofMillis(100)));
        PooledConnection lease = pool.acquire(address);
        long created = System.nanoTime();
        assertThat(ping(lease)).isEqualTo("pong");
        await().until(() -> System.nanoTime() - created > TimeUnit.MILLISECONDS.toNanos(150));
        lease.release();
        assertThat(lease.connection().isActive()).isFalse();
        assertThat(pool.stats().evicted()).isEqualTo(1);
    }

    @Test
    void idleConnectionsAreClosedAfterTheMaximumIdleTimeWithoutAPoolThread() throws Exception {
        String address = startServer();
        ConnectionPool pool = pool(ConnectionPool.builder(dialer).maxIdleTime(Duration.ofMillis(200)));
        PooledConnection lease = pool.acquire(address);
        assertThat(ping(lease)).isEqualTo("pong");
        lease.release();
        assertThat(pool.stats().idle()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 0);
        assertThat(lease.connection().isActive()).isFalse();
        assertThat(pool.stats().evicted()).isEqualTo(1);
    }

    @Test
    void closeClosesEveryConnectionAndFailsWaitingAndLaterAcquires() throws Exception {
        String address = startServer();
        ConnectionPool pool = pool(ConnectionPool.builder(dialer).maxConnections(2));
        PooledConnection lent = pool.acquire(address);
        PooledConnection idle = pool.acquire(address);
        idle.release();
        PooledConnection lent2 = pool.acquire(address);
        assertThat(lent2.connection()).isSameAs(idle.connection());
        CompletableFuture<PooledConnection> waiter = async(() -> pool.acquire(address, Duration.ofSeconds(20)));
        await().until(() -> pool.stats().pending() == 1);
        pool.close();
        assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(PoolClosedException.class);
        assertThat(lent.connection().isActive()).isFalse();
        assertThat(lent2.connection().isActive()).isFalse();
        assertThatThrownBy(() -> lent.connection().reader().next(1)).isInstanceOf(ConnectionClosedException.class);
        lent.release(); // after close: ignored
        assertThatThrownBy(() -> pool.acquire(address)).isInstanceOf(PoolClosedException.class);
        assertThatThrownBy(() -> pool.acquire("127.0.0.1:1")).isInstanceOf(PoolClosedException.class);
        assertThat(pool.stats().active()).isZero();
        assertThat(pool.stats().idle()).isZero();
    }

    @Test
    void aFailedDialFreesItsSlotAndIsCounted() throws Exception {
        String address = startServer();
        AtomicInteger dials = new AtomicInteger();
        ConnectionPool pool = pool(ConnectionPool.builder(a -> {
                    if (dials.getAndIncrement() == 0) {
                        throw new ConnectException("refused (test)");
                    }
                    return dialer.dialConnection("tcp", a);
                })
                .maxConnections(1));
        assertThatThrownBy(() -> pool.acquire(address)).isInstanceOf(ConnectException.class);
        assertThat(pool.stats().acquireFailures()).isEqualTo(1);
        try (PooledConnection lease = pool.acquire(address, Duration.ZERO)) { // the slot is free again
            assertThat(ping(lease)).isEqualTo("pong");
        }
    }

    @Test
    void anUpstreamRestartEvictsTheOldConnectionsAndTheNextAcquireDialsAgain() throws Exception {
        String address = startServer();
        ConnectionPool pool = pool(ConnectionPool.builder(dialer).maxConnections(4));
        List<PooledConnection> leases = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            leases.add(pool.acquire(address));
        }
        leases.forEach(PooledConnection::release);
        assertThat(pool.stats().idle()).isEqualTo(4);
        EventLoop old = loops.remove(0);
        old.shutdown(Duration.ofSeconds(2)); // closes the server's side of every connection
        await().until(() -> pool.stats().idle() == 0);
        assertThatThrownBy(() -> pool.acquire(address)).isInstanceOf(IOException.class); // nothing listens
        startServer(address); // the same port again
        try (PooledConnection lease = pool.acquire(address)) {
            assertThat(ping(lease)).isEqualTo("pong");
        }
        assertThat(pool.stats().evicted()).isEqualTo(4);
        assertThat(pool.stats().created()).isEqualTo(5);
        assertThat(pool.stats().active()).isZero();
    }

    @Test
    void concurrentAcquireAndReleaseKeepTheCountsAndTheLimit() throws Exception {
        String address = startServer();
        ConnectionPool pool =
                pool(ConnectionPool.builder(dialer).maxConnections(3).maxLifetime(Duration.ofMillis(30)));
        int threads = 8;
        int rounds = 300;
        AtomicInteger maxSeen = new AtomicInteger();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            all.add(async(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        try (PooledConnection lease = pool.acquire(address, Duration.ofSeconds(20))) {
                            maxSeen.accumulateAndGet(pool.stats(address).active(), Math::max);
                            if ((i + seed) % 10 == 0) {
                                assertThat(ping(lease)).isEqualTo("pong");
                            }
                            if ((i + seed) % 37 == 0) {
                                lease.discard();
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(50, TimeUnit.SECONDS);
        ConnectionPoolStats s = pool.stats();
        assertThat(maxSeen.get()).isLessThanOrEqualTo(3);
        assertThat(s.acquired()).isEqualTo((long) threads * rounds);
        assertThat(s.active()).isZero();
        assertThat(s.pending()).isZero();
        assertThat(s.idle()).isLessThanOrEqualTo(3);
        assertThat(s.created() - s.evicted()).isEqualTo(s.idle());
        assertThat(s.acquireFailures()).isZero();
    }

    @Test
    void acquireAndReleaseOfAnIdleConnectionAllocateNothing() throws Exception {
        String address = startServer();
        ConnectionPool pool = pool(ConnectionPool.builder(dialer).maxConnections(2));
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 50_000; i++) { // warm-up: JIT, the endpoint, the idle stack's array
            pool.acquire(address).release();
        }
        int rounds = 100_000;
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < rounds; i++) {
            pool.acquire(address).release();
        }
        long perRound = (mx.getCurrentThreadAllocatedBytes() - before) / rounds;
        assertThat(perRound).as("bytes allocated per acquire + release").isLessThan(8);
        assertThat(pool.stats().created()).isEqualTo(1);
    }
}
