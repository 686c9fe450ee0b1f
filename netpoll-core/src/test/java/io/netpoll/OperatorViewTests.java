package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.TestNet.pattern;
import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The operator view in core: {@link PollerStats} per poller (loop lag, time since select, what the
 * loop runs) and {@link EventLoop#connections}/{@link EventLoop#closeConnection}, over real sockets.
 */
class OperatorViewTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private static final long STUCK = TimeUnit.MILLISECONDS.toNanos(200);

    @Test
    void anInlineHandlerThatBlocksShowsAsALatePollerUntilItReturns() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Server server = net.startServer(
                (ctx, c) -> {
                    byte b = c.reader().next(1).get();
                    c.reader().release();
                    if (b == 'S') {
                        entered.countDown();
                        // The adversary: an inline handler that blocks in something other than netpoll.
                        release.await(30, TimeUnit.SECONDS);
                    }
                    c.writer().writeBinary(new byte[] {b}, 0, 1);
                    c.writer().flush();
                },
                Option.handlerMode(HandlerMode.INLINE));
        Socket s = net.socket(server.port());
        s.getOutputStream().write('S');
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        long id = server.loop()
                .connections(10, ConnectionInfo.Order.OLDEST)
                .get(0)
                .id();

        await().atMost(Duration.ofSeconds(10)).until(() -> late().isPresent());
        PollerStats stuck = late().orElseThrow();
        assertThat(stuck.runningNow()).startsWith("connection " + id + " ");
        assertThat(stuck.threadName()).isEqualTo(stuck.name());
        assertThat(stuck.roleState()).isEqualTo("running"); // inline: never handed off
        stuck.loopLagNanos(); // queues a probe behind the blocked handler
        await().atMost(Duration.ofSeconds(10)).until(() -> stuck.loopLagNanos() > STUCK);

        release.countDown();
        assertThat(s.getInputStream().read()).isEqualTo('S');
        await().atMost(Duration.ofSeconds(10)).until(() -> stuck.nanosSinceSelect() < STUCK);
        // The probe queued while blocked reported the stall; the next one measures a free loop.
        await().atMost(Duration.ofSeconds(10)).until(() -> stuck.loopLagNanos() < STUCK);
        assertThat(late()).isEmpty();
    }

    @Test
    void anAdaptiveHandlerThatBlocksIsHandedOffSoThePollerIsNotLate() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Server server = net.startServer(
                (ctx, c) -> {
                    byte b = c.reader().next(1).get();
                    c.reader().release();
                    if (b == 'S') {
                        entered.countDown();
                        release.await(30, TimeUnit.SECONDS);
                    }
                    c.writer().writeBinary(new byte[] {b}, 0, 1);
                    c.writer().flush();
                },
                Option.handlerMode(HandlerMode.ADAPTIVE));
        Socket blocked = net.socket(server.port());
        blocked.getOutputStream().write('S');
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        // The monitor gave the role to a spare, whose loop selects: every poller keeps serving.
        Socket other = net.socket(server.port());
        for (int i = 0; i < 3; i++) {
            other.getOutputStream().write('x');
            assertThat(other.getInputStream().read()).isEqualTo('x');
        }
        for (PollerStats p : net.group().pollerStats()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> p.nanosSinceSelect() < STUCK);
        }
        release.countDown();
        assertThat(blocked.getInputStream().read()).isEqualTo('S');
    }

    @Test
    void connectionsOldestOrBusiestFirstAndCloseOneById() throws Exception {
        Server server = net.echoServer(Option.idleTimeout(Duration.ofMinutes(5)));
        Socket a = net.socket(server.port());
        exchange(a, 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().connectionCount() == 1);
        Socket b = net.socket(server.port());
        exchange(b, 1000);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().connectionCount() == 2);
        Socket c = net.socket(server.port());
        exchange(c, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().connectionCount() == 3);

        List<ConnectionInfo> oldest = server.loop().connections(2, ConnectionInfo.Order.OLDEST);
        assertThat(oldest).extracting(i -> port(i)).containsExactly(a.getLocalPort(), b.getLocalPort());
        ConnectionInfo first = oldest.get(0);
        assertThat(first.bytesIn()).isEqualTo(10);
        assertThat(first.bytesOut()).isEqualTo(10);
        assertThat(first.unreadInput()).isZero();
        assertThat(first.unsentOutput()).isZero();
        assertThat(first.state()).isEqualTo("open");
        assertThat(first.ageNanos()).isPositive();
        assertThat(first.idleNanos()).isBetween(0L, first.ageNanos());
        assertThat(first.createdAtMillis()).isLessThanOrEqualTo(System.currentTimeMillis());
        assertThat(first.poller()).contains("-poller-");

        List<ConnectionInfo> busiest = server.loop().connections(5, ConnectionInfo.Order.BUSIEST);
        assertThat(busiest)
                .extracting(i -> port(i))
                .containsExactly(b.getLocalPort(), a.getLocalPort(), c.getLocalPort());
        assertThat(busiest.get(0).bytesIn()).isEqualTo(1000);
        assertThat(server.loop().connections(0, ConnectionInfo.Order.BUSIEST)).isEmpty();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> server.loop().connections(-1, ConnectionInfo.Order.OLDEST));

        assertThat(server.loop().closeConnection(first.id())).isTrue();
        assertThat(a.getInputStream().read()).isEqualTo(-1);
        assertThat(server.loop().closeConnection(first.id())).isFalse();
        assertThat(server.loop().closeConnection(-1)).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().connectionCount() == 2);
        exchange(b, 5); // the others are untouched
    }

    @Test
    void unreadInputOfAHandlerThatDoesNotConsume() throws Exception {
        Server server = net.startServer((ctx, c) -> {}, Option.handlerMode(HandlerMode.WORKER));
        Socket s = net.socket(server.port());
        s.getOutputStream().write(pattern(300, 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<ConnectionInfo> all = server.loop().connections(1, ConnectionInfo.Order.OLDEST);
            return all.size() == 1 && all.get(0).unreadInput() == 300;
        });
        ConnectionInfo info =
                server.loop().connections(1, ConnectionInfo.Order.OLDEST).get(0);
        assertThat(info.bytesIn()).isEqualTo(300);
        assertThat(info.idleNanos()).as("timed without an idle timeout too").isBetween(0L, info.ageNanos());
    }

    @Test
    void pollerStatsPerPoller() throws Exception {
        Server server = net.echoServer();
        Socket s = net.socket(server.port());
        exchange(s, 3);
        List<PollerStats> pollers = net.group().pollerStats();
        assertThat(pollers).hasSize(2);
        assertThat(pollers).extracting(PollerStats::index).containsExactly(0, 1);
        assertThat(pollers.stream().mapToInt(PollerStats::registrations).sum()).isEqualTo(2); // listener + connection
        PollerStats p0 = pollers.get(0);
        p0.loopLagNanos();
        await().atMost(Duration.ofSeconds(10)).until(() -> p0.pendingTasks() == 0 && p0.nanosSinceSelect() == 0);
        assertThat(p0.runningNow()).isNull();
        assertThat(p0.selectorRebuilds()).isZero();
        net.group().next().rebuildSelectorSoon();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> pollers.stream()
                                .mapToLong(PollerStats::selectorRebuilds)
                                .sum()
                        == 1);
        assertThat(net.group().stats().selectorRebuilds()).isEqualTo(1);
    }

    @Test
    void snapshotsAndClosesAreSafeWhileConnectionsOpenAndClose() throws Exception {
        Server server = net.echoServer();
        int rounds = 300;
        java.util.concurrent.Future<?> churn = net.exec().submit(() -> {
            for (int i = 0; i < rounds; i++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
                    s.setSoTimeout(20_000);
                    try {
                        s.getOutputStream().write(i & 0x7f);
                        s.getInputStream().read();
                    } catch (java.net.SocketException closedByTheView) {
                        // closeConnection from the view (EOF or a reset): allowed
                    }
                }
            }
            return null;
        });
        int closedByView = 0;
        while (!churn.isDone()) {
            List<ConnectionInfo> some = server.loop()
                    .connections(
                            5, (closedByView & 1) == 0 ? ConnectionInfo.Order.OLDEST : ConnectionInfo.Order.BUSIEST);
            assertThat(some.size()).isLessThanOrEqualTo(5);
            for (ConnectionInfo info : some) {
                assertThat(info.bytesIn()).isBetween(0L, 1L);
                assertThat(info.state()).isIn("open", "in-handler", "peer-closed", "closing", "read-paused");
            }
            if (!some.isEmpty() && server.loop().closeConnection(some.get(0).id())) {
                closedByView++;
            }
        }
        churn.get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().connectionCount() == 0);
        assertThat(server.loop().connections(10, ConnectionInfo.Order.OLDEST)).isEmpty();
    }

    private static int port(ConnectionInfo info) {
        return ((InetSocketAddress) info.remoteAddress()).getPort();
    }

    private Optional<PollerStats> late() {
        return net.group().pollerStats().stream()
                .filter(p -> p.nanosSinceSelect() > STUCK)
                .findFirst();
    }

    private static void exchange(Socket s, int n) throws IOException {
        byte[] data = pattern(n, n);
        s.getOutputStream().write(data);
        assertThat(readFully(s.getInputStream(), n)).isEqualTo(data);
    }
}
