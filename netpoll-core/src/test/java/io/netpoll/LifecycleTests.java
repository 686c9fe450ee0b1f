package io.netpoll;

import io.netpoll.buffer.BufferPool;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class LifecycleTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    @Test
    void gracefulShutdownClosesIdleWaitsForBusyThenForceClosesAndReports() throws Exception {
        CountDownLatch busyEntered = new CountDownLatch(2);
        CountDownLatch releaseQuick = new CountDownLatch(1);
        Server server = net.startServer((ctx, c) -> {
            byte kind = c.reader().readByte();
            if (kind == 'q') { // busy until released, then finishes within the deadline
                busyEntered.countDown();
                releaseQuick.await(10, TimeUnit.SECONDS);
                c.writer().writeString("done");
                c.writer().flush();
            } else if (kind == 's') { // stuck waiting for a frame that never comes
                busyEntered.countDown();
                c.reader().next(100);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().servingListeners() == 1);
        Socket idle = net.socket(server.port());
        Socket quick = net.socket(server.port());
        Socket stuck = net.socket(server.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().connectionCount() == 3);
        quick.getOutputStream().write('q');
        stuck.getOutputStream().write('s');
        assertThat(busyEntered.await(5, TimeUnit.SECONDS)).isTrue();

        Thread releaser = new Thread(() -> {
            await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().isShutdown());
            releaseQuick.countDown();
        });
        releaser.start();
        ShutdownResult result = server.loop().shutdown(Duration.ofMillis(700));
        releaser.join(5_000);

        assertThat(result.closedIdle()).isEqualTo(1);
        assertThat(result.drained()).isEqualTo(1);
        assertThat(result.forceClosed()).hasSize(1);
        assertThat(result.graceful()).isFalse();
        assertThat(idle.getInputStream().read()).isEqualTo(-1);
        assertThat(new String(readFully(quick.getInputStream(), 4))).isEqualTo("done");
        assertThat(quick.getInputStream().read()).isEqualTo(-1);
        assertThat(stuck.getInputStream().read()).isEqualTo(-1);
        server.serving().get(5, TimeUnit.SECONDS); // serve() returned
        assertThat(server.loop().servingListeners()).isZero();
        assertThat(server.listener().isOpen()).isFalse();
        assertThatThrownBy(() -> server.loop().serve(server.listener())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void serveAfterShutdownFailsAtOnceAndClosesTheListener() throws Exception {
        EventLoop loop = Netpoll.newEventLoop(TestNet::echo, Option.pollerGroup(net.group()));
        loop.shutdown(Duration.ZERO);
        Listener listener = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        assertThatThrownBy(() -> loop.serve(listener))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shut down");
        assertThat(listener.isOpen()).isFalse();
    }

    /**
     * The race: {@code shutdown} runs after {@code serve} passed its first check but before it
     * registered its acceptor. Made deterministic by holding the poller group's monitor, which
     * {@code serve} needs to start the group's first poller (between the two): the serving
     * thread is parked right inside the window while {@code shutdown} runs. Before the fix,
     * {@code serve} then registered anyway and blocked forever on an open listener.
     */
    @Test
    void shutdownWhileServeIsRegisteringMakesServeReturnAtOnce() throws Exception {
        EventLoop loop = Netpoll.newEventLoop(TestNet::echo, Option.pollerGroup(net.group()));
        Listener listener = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        AtomicReference<Thread> serving = new AtomicReference<>();
        CompletableFuture<Throwable> served;
        synchronized (net.group()) {
            served = CompletableFuture.supplyAsync(
                    () -> {
                        serving.set(Thread.currentThread());
                        try {
                            loop.serve(listener);
                            return null;
                        } catch (Throwable t) {
                            return t;
                        }
                    },
                    net.exec());
            await().atMost(Duration.ofSeconds(10)).until(() -> blockedOn(serving.get(), net.group()));
            ShutdownResult result = loop.shutdown(Duration.ofSeconds(1));
            assertThat(result.graceful()).isTrue();
        }
        assertThat(served.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
        assertThat(listener.isOpen()).isFalse();
        assertThat(loop.servingListeners()).isZero();
    }

    private static boolean blockedOn(Thread thread, Object monitor) {
        if (thread == null) {
            return false;
        }
        ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(thread.getId());
        LockInfo lock = info == null ? null : info.getLockInfo();
        return info != null
                && info.getThreadState() == Thread.State.BLOCKED
                && lock != null
                && lock.getIdentityHashCode() == System.identityHashCode(monitor);
    }

    @Test
    void pollerGroupsCanBeCreatedAndClosedManyTimes() throws Exception {
        for (int round = 0; round < 20; round++) {
            try (PollerGroup g = PollerGroup.create(2, round % 2 == 0 ? LoadBalance.ROUND_ROBIN : LoadBalance.RANDOM)) {
                Listener l = Netpoll.createListener("tcp", "127.0.0.1:0");
                EventLoop loop = Netpoll.newEventLoop(TestNet::echo, Option.pollerGroup(g));
                Thread t = new Thread(() -> {
                    try {
                        loop.serve(l);
                    } catch (java.io.IOException ignored) {
                        // closed with the group
                    }
                });
                t.start();
                try (Socket s = new Socket("127.0.0.1", l.port())) {
                    s.setSoTimeout(5_000);
                    s.getOutputStream().write(round);
                    assertThat(s.getInputStream().read()).isEqualTo(round);
                    assertThat(g.stats().pollers()).isEqualTo(2);
                    assertThat(g.stats().registrations()).isEqualTo(2); // listener + connection
                }
                g.close(); // closes the listener and every connection
                t.join(5_000);
                assertThat(t.isAlive()).isFalse();
                assertThat(l.isOpen()).isFalse();
                assertThat(g.stats().pollers()).isZero();
            }
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> BufferPool.defaultPool().stats().outstandingNodes() == 0);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().matches("netpoll-\\d+-poller-.*")
                                && !t.getName().startsWith("netpoll-" + groupId(net.group()) + "-")));
    }

    private static String groupId(PollerGroup g) {
        String s = g.toString();
        return s.substring("PollerGroup-".length(), s.indexOf('['));
    }

    @Test
    void closingTheGroupClosesClientConnectionsAndRunsCallbacks() throws Exception {
        Server server = net.echoServer();
        PollerGroup clientGroup = PollerGroup.create(1);
        Connection c = Netpoll.newDialer(Option.pollerGroup(clientGroup))
                .dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(1));
        CountDownLatch closed = new CountDownLatch(1);
        c.addCloseCallback(x -> closed.countDown());
        clientGroup.close();
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(c.isOpen()).isFalse();
        assertThatThrownBy(() -> Netpoll.newDialer(Option.pollerGroup(clientGroup))
                        .dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void loadBalanceSpreadsConnectionsOverPollers() throws Exception {
        PollerGroup g = net.closeLater(PollerGroup.create(3));
        assertThat(g.loadBalance()).isEqualTo(LoadBalance.ROUND_ROBIN);
        Listener l = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        EventLoop loop = Netpoll.newEventLoop(TestNet::echo, Option.pollerGroup(g));
        Thread t = new Thread(() -> {
            try {
                loop.serve(l);
            } catch (java.io.IOException ignored) {
                // shut down
            }
        });
        t.start();
        for (int i = 0; i < 6; i++) {
            net.socket(l.port());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> g.stats().registrations() == 7);
        // each of the three poller threads has connections: all started
        assertThat(g.stats().pollers()).isEqualTo(3);
        g.setNumLoops(4);
        assertThat(g.numLoops()).isEqualTo(4);
        net.socket(l.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> g.stats().pollers() == 4);
        loop.shutdown(Duration.ofSeconds(1));
        t.join(5_000);
    }

    @Test
    void defaultGroupAndStaticApi() throws Exception {
        Netpoll.setNumLoops(1);
        Netpoll.setLoadBalance(LoadBalance.RANDOM);
        Listener l = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        EventLoop loop = Netpoll.newEventLoop(TestNet::echo);
        Thread t = new Thread(() -> {
            try {
                loop.serve(l);
            } catch (java.io.IOException ignored) {
                // shut down
            }
        });
        t.start();
        try (Connection c = Netpoll.dialConnection("tcp", "127.0.0.1:" + l.port(), Duration.ofSeconds(1))) {
            c.writer().writeString("static");
            c.writer().flush();
            assertThat(c.reader().readString(6)).isEqualTo("static");
        }
        assertThat(loop.shutdown(Duration.ofSeconds(1)).graceful()).isTrue();
        t.join(5_000);
        assertThat(Netpoll.defaultGroup().loadBalance()).isEqualTo(LoadBalance.RANDOM);
        Netpoll.closeDefaultGroup();
        Netpoll.setLoadBalance(LoadBalance.ROUND_ROBIN);
        assertThat(Netpoll.defaultGroup().isClosed()).isFalse();
        Netpoll.closeDefaultGroup();
    }
}
