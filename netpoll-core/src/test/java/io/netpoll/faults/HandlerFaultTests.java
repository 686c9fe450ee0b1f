package io.netpoll.faults;

import io.netpoll.ConnectionClosedException;
import io.netpoll.OnRequest;
import io.netpoll.Option;
import io.netpoll.ShutdownResult;
import io.netpoll.faults.Frames.Mode;
import io.netpoll.testing.PeerIo;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.netpoll.testing.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Handlers that fail: exceptions of every kind, callbacks that throw, handlers that never read or never return. */
class HandlerFaultTests {
    @RegisterExtension
    final TestNet net = TestNet.faultScenario();

    /** A handler that fails in the way its connection's first byte names, and echoes frames otherwise. */
    private static OnRequest failing(Mode mode) {
        OnRequest frames = mode.handler();
        return (ctx, c) -> {
            byte kind = c.reader().peek(1).get(0);
            switch (kind) {
                case 'R' -> throw new IllegalStateException("runtime exception (expected by the test)");
                case 'A' -> throw new AssertionError("an Error (expected by the test)");
                case 'S' -> recurse(0); // a real StackOverflowError, on the poller thread in inline mode
                case 'I' -> throw new IOException("checked exception (expected by the test)");
                case 'W' -> { // unflushed output: its memory must still go back to the pool
                    c.writer().writeBinary(new byte[100 << 10]);
                    throw new IllegalStateException("after writing without flushing (expected by the test)");
                }
                case 'F' -> {
                    c.reader().skip(1);
                    c.writer().writeString("partial");
                    c.writer().flush();
                    throw new IllegalStateException("after a flush (expected by the test)");
                }
                default -> frames.onRequest(ctx, c);
            }
        };
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void exceptionsOfEveryKindCloseOnlyTheirConnectionAndAreCounted(Mode mode) throws Exception {
        Server server = net.startServer(failing(mode), mode.options());
        Socket good = net.socket(server.port());
        String kinds = "RASIWF";
        int bad = 0;
        for (int round = 0; round < 5; round++) {
            for (char kind : kinds.toCharArray()) {
                try (Socket s = new Socket("127.0.0.1", server.port())) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(kind);
                    PeerIo.Ending end = PeerIo.readToEnd(s.getInputStream());
                    assertThat(new String(end.bytes())).as("kind %s", kind).isEqualTo(kind == 'F' ? "partial" : "");
                }
                bad++;
                assertThat(Frames.roundTrip(good, new byte[] {(byte) kind, (byte) round}))
                        .as("others are served")
                        .isTrue();
            }
        }
        int failures = bad;
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().handlerErrors() == failures);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void callbacksThatThrowDoNotLeakOrStopTheServer(Mode mode) throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger closeCallbacks = new AtomicInteger();
        AtomicInteger disconnects = new AtomicInteger();
        Server server = net.startServer(
                mode.handler(),
                mode.options(
                        Option.onPrepare(c -> {
                            int n = accepted.getAndIncrement();
                            c.addCloseCallback(x -> {
                                closeCallbacks.incrementAndGet();
                                throw new IllegalStateException("close callback (expected by the test)");
                            });
                            if (n % 5 == 0) {
                                throw new IllegalStateException("onPrepare (expected by the test)");
                            }
                            return n;
                        }),
                        Option.onConnect((ctx, c) -> {
                            if ((int) ctx % 5 == 1) {
                                throw new IllegalStateException("onConnect (expected by the test)");
                            }
                            return ctx;
                        }),
                        Option.onDisconnect((ctx, c) -> {
                            disconnects.incrementAndGet();
                            throw new IllegalStateException("onDisconnect (expected by the test)");
                        })));
        int connections = 50;
        int served = 0;
        for (int i = 0; i < connections; i++) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(10_000);
                byte[] f = Frames.frame(new byte[] {(byte) i});
                boolean wrote = PeerIo.writeQuietly(s.getOutputStream(), f);
                byte[] back = PeerIo.readUpTo(s.getInputStream(), f.length);
                if (i % 5 <= 1) {
                    assertThat(back)
                            .as("connection %d is closed by its failing callback", i)
                            .isEmpty();
                } else {
                    assertThat(wrote).isTrue();
                    assertThat(back).as("connection %d is served", i).isEqualTo(f);
                    served++;
                }
            }
            // The next connection is accepted after this one has been prepared: the order holds.
            int expected = i + 1;
            await().atMost(Duration.ofSeconds(5)).until(() -> accepted.get() == expected);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> closeCallbacks.get() == connections);
        assertThat(server.loop().stats().connectionsRejected()).isEqualTo(connections / 5);
        assertThat(server.loop().stats().handlerErrors()).isEqualTo(connections / 5);
        assertThat(disconnects.get())
                .as("onDisconnect for each served connection the peer closed")
                .isEqualTo(served);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void handlersThatNeverReadDoNotSpin(Mode mode) throws Exception {
        AtomicLong calls = new AtomicLong();
        Server server = net.startServer((ctx, c) -> calls.incrementAndGet(), mode.options()); // consumes nothing
        int connections = 50;
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket s = net.socket(server.port());
            s.getOutputStream().write(new byte[100]);
            sockets.add(s);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == connections);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpuBefore = netpollCpu(mx);
        long wallStart = System.nanoTime();
        new CountDownLatch(1).await(300, TimeUnit.MILLISECONDS); // wall time for a spin to show, not synchronisation
        long cpu = netpollCpu(mx) - cpuBefore;
        long wall = System.nanoTime() - wallStart;
        assertThat(calls.get()).as("no call without new data").isEqualTo(connections);
        assertThat(cpu)
                .as("netpoll threads' CPU time in %d ms with 50 unread buffers (ns)", wall / 1_000_000)
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
        sockets.get(7).getOutputStream().write(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == connections + 1);
    }

    private static long netpollCpu(ThreadMXBean mx) {
        long total = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("netpoll-")) {
                @SuppressWarnings("deprecation")
                long cpu = mx.getThreadCpuTime(t.getId());
                total += Math.max(0, cpu);
            }
        }
        return total;
    }

    @Test
    void handlersThatBlockForeverDoNotHoldShutdownPastItsDeadline() throws Exception {
        // Handlers that block outside netpoll (the latch) get an executor of their own, as
        // WorkerPool's documentation asks: the default pool only replaces workers blocked in netpoll.
        ExecutorService handlers = Executors.newCachedThreadPool();
        try {
            blockForever(handlers);
        } finally {
            handlers.shutdownNow();
        }
    }

    private void blockForever(ExecutorService handlers) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<Throwable> woken = new ArrayBlockingQueue<>(10);
        AtomicInteger running = new AtomicInteger();
        Server server = net.startServer(
                (ctx, c) -> {
                    byte kind = c.reader().readByte();
                    running.incrementAndGet();
                    try {
                        switch (kind) {
                            case 'L' ->
                                release.await(30, TimeUnit.SECONDS); // blocked outside netpoll: close cannot wake it
                            case 'N' -> c.reader().next(100); // a frame that never comes (no read timeout)
                            default -> { // a peer that never reads (no write timeout)
                                byte[] chunk = new byte[64 << 10];
                                for (int i = 0; i < 16_384; i++) {
                                    c.writer().writeBinary(chunk);
                                    c.writer().flush();
                                }
                            }
                        }
                    } catch (ConnectionClosedException e) {
                        woken.add(e);
                        throw e;
                    }
                },
                Option.executor(handlers));
        List<Socket> sockets = new ArrayList<>();
        for (char kind : "LLLNNNFFF".toCharArray()) {
            Socket s = net.socket(server.port(), 16 << 10);
            s.getOutputStream().write(kind);
            sockets.add(s);
        }
        for (int i = 0; i < 3; i++) {
            sockets.add(net.socket(server.port())); // idle
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> running.get() == 9 && server.loop().connectionCount() == 12);

        long start = System.nanoTime();
        ShutdownResult result = server.loop().shutdown(Duration.ofMillis(500));
        long took = System.nanoTime() - start;

        assertThat(took).as("shutdown returned by its deadline").isLessThan(TimeUnit.MILLISECONDS.toNanos(500 + 1500));
        assertThat(result.closedIdle()).isEqualTo(3);
        assertThat(result.forceClosed()).hasSize(9);
        assertThat(result.graceful()).isFalse();
        server.serving().get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 6; i++) { // the handlers blocked in netpoll wake up
            assertThat(woken.poll(5, TimeUnit.SECONDS)).isInstanceOf(ConnectionClosedException.class);
        }
        for (Socket s : sockets) { // every peer sees the end
            s.setSoTimeout(10_000);
            PeerIo.readToEnd(s.getInputStream());
        }
        // Only the handlers blocked outside netpoll still hold their connections (and buffers).
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 3);
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().handlerErrors()).isZero();
    }
}
