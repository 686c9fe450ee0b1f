package io.netpoll.faults;

import io.netpoll.Connection;
import io.netpoll.ConnectionClosedException;
import io.netpoll.Dialer;
import io.netpoll.Option;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.netpoll.testing.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code close()} from several threads at once, on both ends, while other threads are blocked
 * reading and writing the same connections: every blocked call wakes with
 * {@link ConnectionClosedException}, close callbacks run exactly once, nothing leaks.
 * (CloseRaceStressTests covers random closes during traffic; this covers blocked calls.)
 */
class CloseRaceFaultTests {
    @RegisterExtension
    final TestNet net = TestNet.faultScenario();

    private static final int ROUNDS = 30;
    private static final int CLOSERS = 3;
    private static final int LIMIT = 64 << 10;
    /** More than the socket buffers of both ends hold (the kernel grows them to a few MiB): a write of it blocks. */
    private static final byte[] LARGE = new byte[16 << 20];

    private final Map<SocketAddress, Connection> serverSide = new ConcurrentHashMap<>();
    private final Map<Connection, AtomicInteger> callbacks = new ConcurrentHashMap<>();
    /** Handlers about to block in their read: a close before that would find no handler to wake. */
    private final AtomicInteger readingHandlers = new AtomicInteger();

    @Test
    void concurrentClosesWakeBlockedReadersAndWritersOnBothEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Throwable> handlerEnds = java.util.Collections.synchronizedList(new ArrayList<>());
        // Handlers park outside netpoll ('P'): they get an executor of their own (see WorkerPool).
        ExecutorService handlers = Executors.newCachedThreadPool();
        try {
            Server server = net.startServer(
                    (ctx, c) -> {
                        byte kind = c.reader().readByte();
                        if (kind == 'P') { // busy, reading nothing: the server stops reading at the limit
                            release.await(30, TimeUnit.SECONDS);
                            return;
                        }
                        readingHandlers.incrementAndGet();
                        try {
                            c.reader().next(1000); // a frame that never comes
                        } catch (ConnectionClosedException e) {
                            handlerEnds.add(e);
                            throw e;
                        }
                    },
                    Option.executor(handlers),
                    Option.maxInputBuffer(LIMIT),
                    Option.onPrepare(c -> {
                        serverSide.put(c.remoteAddress(), c);
                        track(c);
                        return null;
                    }));
            Dialer dialer = net.dialer(Option.maxInputBuffer(LIMIT));
            String address = "127.0.0.1:" + server.port();
            for (int round = 0; round < ROUNDS; round++) {
                clientBlockedWhileBothEndsClose(dialer, address);
                serverBlockedWhileBothEndsClose(dialer, address);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> handlerEnds.size() == ROUNDS);
            assertThat(handlerEnds).allSatisfy(e -> assertThat(e).isInstanceOf(ConnectionClosedException.class));
            release.countDown();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.loop().stats().connectionsActive() == 0
                            && dialer.stats().connectionsActive() == 0);
            assertThat(callbacks).hasSize(4 * ROUNDS);
            assertThat(callbacks.values())
                    .allSatisfy(
                            n -> assertThat(n.get()).as("close callback runs").isEqualTo(1));
            assertThat(server.loop().stats().handlerErrors()).isZero();
        } finally {
            release.countDown();
            handlers.shutdownNow();
        }
    }

    /** The client blocks in a read and in a write; closes come from three threads on it and one on the server. */
    private void clientBlockedWhileBothEndsClose(Dialer dialer, String address) throws Exception {
        Connection client = track(dialer.dialConnection("tcp", address, Duration.ofSeconds(5)));
        client.send(w -> w.writeByte((byte) 'P'));
        Connection server = serverConnection(client);
        Blocked read = block(() -> client.reader().next(1)); // the server never writes
        Blocked write = block(() -> client.send(w -> w.writeBinary(LARGE))); // the server stops reading
        read.awaitParked();
        write.awaitParked();
        closeAtOnce(client, server);
        read.assertWokenByClose();
        write.assertWokenByClose();
    }

    /** The server's handler blocks in a read and another thread in a write; closes from both ends. */
    private void serverBlockedWhileBothEndsClose(Dialer dialer, String address) throws Exception {
        int reading = readingHandlers.get();
        Connection client = track(dialer.dialConnection("tcp", address, Duration.ofSeconds(5)));
        client.send(w -> w.writeByte((byte) 'N'));
        Connection server = serverConnection(client);
        Blocked write = block(() -> server.send(w -> w.writeBinary(LARGE))); // the client never reads
        write.awaitParked();
        // On a loaded machine the handler may not have run yet: the close must find it reading.
        await().atMost(Duration.ofSeconds(10)).until(() -> readingHandlers.get() > reading);
        closeAtOnce(server, client);
        write.assertWokenByClose();
    }

    private Connection track(Connection c) {
        AtomicInteger runs = new AtomicInteger();
        callbacks.put(c, runs);
        c.addCloseCallback(x -> runs.incrementAndGet());
        return c;
    }

    private Connection serverConnection(Connection client) {
        await().atMost(Duration.ofSeconds(5)).until(() -> serverSide.containsKey(client.localAddress()));
        return serverSide.remove(client.localAddress());
    }

    /** {@value #CLOSERS} threads close {@code a} and one closes {@code b}, released together. */
    private void closeAtOnce(Connection a, Connection b) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> closers = new ArrayList<>();
        for (int i = 0; i <= CLOSERS; i++) {
            Connection victim = i < CLOSERS ? a : b;
            closers.add(net.exec().submit(() -> {
                go.await();
                victim.close();
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : closers) {
            f.get(5, TimeUnit.SECONDS);
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    /** A call running on its own thread, expected to block until its connection closes. */
    private final class Blocked {
        final AtomicReference<Thread> thread = new AtomicReference<>();
        final Future<Throwable> outcome;

        Blocked(Call call) {
            outcome = net.exec().submit(() -> {
                thread.set(Thread.currentThread());
                try {
                    call.run();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
        }

        void awaitParked() {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Thread t = thread.get();
                Thread.State state = t == null ? null : t.getState();
                return !outcome.isDone() && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING);
            });
        }

        void assertWokenByClose() throws Exception {
            assertThat(outcome.get(5, TimeUnit.SECONDS))
                    .as("the blocked call ends with")
                    .isInstanceOf(ConnectionClosedException.class);
        }
    }

    private Blocked block(Call call) {
        return new Blocked(call);
    }
}
