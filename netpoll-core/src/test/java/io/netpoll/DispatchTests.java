package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.netpoll.testing.TestNet.echo;
import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DispatchTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void oneOnRequestAtATimePerConnectionAndCalledAgainWhileDataRemains(HandlerMode mode) throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger frames = new AtomicInteger();
        // Takes exactly one 4-byte frame per call, so the loop must call it again for the rest.
        Server server = net.startServer(
                (ctx, c) -> {
                    int now = running.incrementAndGet();
                    maxRunning.accumulateAndGet(now, Math::max);
                    try {
                        if (c.reader().len() >= 4) {
                            c.reader().skip(4);
                            frames.incrementAndGet();
                        }
                        Thread.yield();
                    } finally {
                        running.decrementAndGet();
                    }
                },
                Option.handlerMode(mode));
        Socket s = net.socket(server.port());
        byte[] burst = new byte[4 * 1000];
        s.getOutputStream().write(burst);
        await().atMost(Duration.ofSeconds(10)).untilAtomic(frames, org.hamcrest.Matchers.equalTo(1000));
        assertThat(maxRunning.get()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void handlerThatConsumesNothingIsNotCalledAgainUntilNewDataArrives(HandlerMode mode) throws Exception {
        AtomicLong calls = new AtomicLong();
        AtomicLong handlerCpuNanos = new AtomicLong();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        BlockingQueue<Long> callSeen = new ArrayBlockingQueue<>(100);
        Server server = net.startServer(
                (ctx, c) -> {
                    // Consumes nothing: the unread byte must not make the task spin.
                    calls.incrementAndGet();
                    handlerCpuNanos.addAndGet(0);
                    callSeen.offer(calls.get());
                },
                Option.handlerMode(mode));
        Socket s = net.socket(server.port());
        s.getOutputStream().write(1);
        assertThat(callSeen.poll(10, TimeUnit.SECONDS)).isEqualTo(1L);
        // Give a spinning implementation every chance to show itself, measured in CPU time.
        long wallStart = System.nanoTime();
        // This group's threads only (netpoll-<id>-…): other tests' groups are not this server's business.
        String poller0 = net.group().pollerStats().get(0).name();
        String prefix = poller0.substring(0, poller0.indexOf("poller-"));
        java.util.Map<Long, Long> cpuAtFirstCall = netpollThreadCpu(mx, prefix);
        awaitWall(Duration.ofMillis(300), wallStart);
        java.util.Map<String, Long> spent = cpuSpentSince(mx, prefix, cpuAtFirstCall);
        long cpuSpent = spent.values().stream().mapToLong(Long::longValue).sum();
        assertThat(calls.get()).as("no repeated calls without new data").isEqualTo(1);
        assertThat(cpuSpent)
                .as("netpoll threads' CPU time while idle with unread data (ns), by thread: %s", spent)
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
        // New data: called again, seeing both bytes.
        s.getOutputStream().write(2);
        assertThat(callSeen.poll(10, TimeUnit.SECONDS)).isEqualTo(2L);
        assertThat(calls.get()).as("exactly one more call for the new byte").isEqualTo(2);
    }

    /** Waits for wall time without sleeping as synchronisation: a latch nobody counts down. */
    private static void awaitWall(Duration d, long start) throws InterruptedException {
        new CountDownLatch(1).await(d.toNanos() - (System.nanoTime() - start), TimeUnit.NANOSECONDS);
    }

    /** CPU time of every live thread of one group (pollers, spares, monitor, workers), by thread id. */
    @SuppressWarnings("deprecation")
    private static java.util.Map<Long, Long> netpollThreadCpu(ThreadMXBean mx, String prefix) {
        java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                cpu.put(t.getId(), Math.max(0, mx.getThreadCpuTime(t.getId())));
            }
        }
        return cpu;
    }

    /**
     * CPU time each netpoll thread spent since {@code before} (a thread started since counts all
     * of its time; one that ended since counts nothing), by thread name.
     */
    @SuppressWarnings("deprecation")
    private static java.util.Map<String, Long> cpuSpentSince(
            ThreadMXBean mx, String prefix, java.util.Map<Long, Long> before) {
        java.util.Map<String, Long> spent = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                long now = mx.getThreadCpuTime(t.getId());
                long delta = now - before.getOrDefault(t.getId(), 0L);
                if (now > 0 && delta > 0) {
                    spent.merge(t.getName(), delta, Long::sum);
                }
            }
        }
        return spent;
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void handlerExceptionClosesOnlyThatConnectionAndIsCounted(HandlerMode mode) throws Exception {
        Server server = net.startServer(
                (ctx, c) -> {
                    String msg = c.reader().readString(c.reader().len());
                    if (msg.contains("boom")) {
                        throw new IllegalStateException("handler failure (expected by the test)");
                    }
                    c.writer().writeString(msg);
                    c.writer().flush();
                },
                Option.handlerMode(mode));
        Socket good = net.socket(server.port());
        Socket bad = net.socket(server.port());
        good.getOutputStream().write("a".getBytes());
        assertThat(readFully(good.getInputStream(), 1)).containsExactly('a');
        bad.getOutputStream().write("boom".getBytes());
        assertThat(bad.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().handlerErrors() == 1);
        good.getOutputStream().write("b".getBytes());
        assertThat(readFully(good.getInputStream(), 1)).containsExactly('b');
        assertThat(server.loop().stats().connectionsActive()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void callbacksAndContextFlowThroughPrepareConnectRequestDisconnect(HandlerMode mode) throws Exception {
        BlockingQueue<String> events = new ArrayBlockingQueue<>(20);
        Server server = net.startServer(
                (ctx, c) -> {
                    events.add("request:" + ctx + ":"
                            + c.reader().readString(c.reader().len()));
                },
                Option.onPrepare(c -> {
                    events.add("prepare");
                    c.addCloseCallback(conn -> events.add("close-1"));
                    return "p";
                }),
                Option.onConnect((ctx, c) -> {
                    events.add("connect:" + ctx);
                    c.addCloseCallback(conn -> events.add("close-2"));
                    return ctx + "c";
                }),
                Option.onDisconnect((ctx, c) -> events.add("disconnect:" + ctx)),
                Option.handlerMode(mode));
        Socket s = net.socket(server.port());
        s.getOutputStream().write("x".getBytes());
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("prepare");
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("connect:p");
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("request:pc:x");
        s.close();
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("disconnect:pc");
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("close-2");
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("close-1");
    }

    @Test
    void fairnessOneStreamingConnectionDoesNotStarveOthersOnTheSamePoller() throws Exception {
        PollerGroup single = net.closeLater(PollerGroup.create(1));
        // inline, adaptive, and a worker pool with a single worker: each must share its one thread.
        io.netpoll.internal.WorkerPool oneWorker = new io.netpoll.internal.WorkerPool("fairness-worker-", 1);
        int total = 2 << 20;
        for (Option mode : new Option[] {
            Option.inlineHandlers(), Option.handlerMode(HandlerMode.ADAPTIVE), Option.executor(oneWorker)
        }) {
            Listener listener = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
            AtomicLong consumed = new AtomicLong();
            CountDownLatch streaming = new CountDownLatch(1);
            // The streamer's handler takes one byte per call, so unread data always remains and
            // an unfair loop would keep calling it until the whole stream is consumed.
            EventLoop loop = Netpoll.newEventLoop(
                    (ctx, c) -> {
                        java.util.concurrent.atomic.AtomicBoolean isStreamer =
                                (java.util.concurrent.atomic.AtomicBoolean) ctx;
                        if (isStreamer.get()) {
                            c.reader().skip(1);
                            consumed.incrementAndGet();
                            streaming.countDown();
                        } else if (c.reader().peek(1).get(0) == 'S') { // the streamer's handshake
                            c.reader().skip(1);
                            isStreamer.set(true);
                            c.writer().writeByte((byte) 'S');
                            c.writer().flush();
                        } else {
                            echo(ctx, c);
                        }
                    },
                    mode,
                    Option.pollerGroup(single),
                    Option.onPrepare(c -> new java.util.concurrent.atomic.AtomicBoolean()));
            Thread serving = new Thread(() -> {
                try {
                    loop.serve(listener);
                } catch (java.io.IOException ignored) {
                    // shut down
                }
            });
            serving.start();
            Socket streamer = net.socket(listener.port());
            Socket pinger = net.socket(listener.port());
            streamer.getOutputStream().write('S');
            assertThat(streamer.getInputStream().read()).isEqualTo('S');
            Thread pump = new Thread(() -> {
                try {
                    streamer.getOutputStream().write(new byte[total]);
                } catch (java.io.IOException ignored) {
                    // closed at the end of the test
                }
            });
            pump.start();
            assertThat(streaming.await(10, TimeUnit.SECONDS)).isTrue(); // a latch: no polling delay
            pinger.getOutputStream().write(1);
            assertThat(pinger.getInputStream().read()).isEqualTo(1);
            assertThat(consumed.get())
                    .as("the pinger was answered while the streamer still had unread data")
                    .isLessThan(total);
            streamer.close();
            pump.join(5_000);
            loop.shutdown(Duration.ofSeconds(1));
            serving.join(5_000);
        }
        oneWorker.shutdown();
    }

    @ParameterizedTest
    @EnumSource(
            value = HandlerMode.class,
            names = {"ADAPTIVE", "WORKER"})
    void defaultExecutorLetsManyHandlersBlockInNextAtOnce(HandlerMode mode) throws Exception {
        int n = 64; // far more than the worker pool's parallelism (the core count)
        CountDownLatch allBlocked = new CountDownLatch(n);
        Server server = net.startServer(
                (ctx, c) -> {
                    c.reader().next(1);
                    allBlocked.countDown();
                    byte[] rest = c.reader().readBinary(99); // blocks until the rest of the frame arrives
                    c.writer().writeByte((byte) rest.length);
                    c.writer().flush();
                },
                Option.handlerMode(mode));
        java.util.List<Socket> sockets = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = net.socket(server.port());
            s.getOutputStream().write(1);
            sockets.add(s);
        }
        assertThat(allBlocked.await(10, TimeUnit.SECONDS))
                .as("every handler is running, blocked in next")
                .isTrue();
        for (Socket s : sockets) {
            s.getOutputStream().write(new byte[99]);
        }
        for (Socket s : sockets) {
            assertThat(s.getInputStream().read()).isEqualTo(99);
        }
    }
}
