package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The offload pool (docs/architecture.md, "Offload of a connection that blocks"): adaptive
 * connections whose handlers block outside netpoll run on a pool of their own that adds a thread
 * for each queued connection when its threads are blocked, up to a cap. The adversaries: many
 * connections that block on every call (they must not queue behind each other), a worker-mode
 * server in the same group (it must not lose its threads to them), and 2,000 of them (the threads
 * stay under the cap).
 */
class OffloadPoolTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private PollerGroup group;

    private static final int OFFLOAD_CAP = 32;
    private static final int SPARES = 16;

    /** The threads the blocking calls ran on. */
    private final Set<String> blockedOn = ConcurrentHashMap.newKeySet();

    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger inGate = new AtomicInteger();

    @BeforeEach
    void smallCaps() {
        group = net.closeLater(
                PollerGroup.create(1, SPARES, Duration.ofSeconds(30), OFFLOAD_CAP, Duration.ofSeconds(30)));
    }

    /**
     * 'P' (prime): blocks until the monitor has taken the poller's role from this call, then three
     * waits of 1 ms more (past the 1 ms after which a connection moves off its poller; blocked
     * even if the monitor found the thread running); 'B': sleeps 500 ms;
     * 'G': waits for the test's gate; anything else echoes. Each answers its request byte.
     */
    private void blockingHandler(Object ctx, Connection c) throws Exception {
        char k = (char) c.reader().readByte();
        switch (k) {
            case 'P' -> {
                String role = Thread.currentThread().getName();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                // The monitor renames a thread whose role it takes: a condition, polled by the blocked call.
                while (role.equals(Thread.currentThread().getName()) && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(1); // three waits: blocking, even if the monitor caught it waking up
                }
            }
            case 'B' -> {
                blockedOn.add(Thread.currentThread().getName());
                Thread.sleep(500);
            }
            case 'G' -> {
                blockedOn.add(Thread.currentThread().getName());
                inGate.incrementAndGet();
                gate.await(30, TimeUnit.SECONDS);
            }
            default -> {}
        }
        c.writer().writeByte((byte) k);
        c.writer().flush();
    }

    /** Opens {@code n} connections and moves each off the poller (a call that blocked outside netpoll). */
    private List<Socket> offloadedConnections(Server server, int n) throws IOException {
        List<Socket> sockets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Socket s = net.socket(server.port());
            s.getOutputStream().write('P');
            sockets.add(s);
        }
        for (Socket s : sockets) {
            assertThat(s.getInputStream().read()).isEqualTo('P');
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> server.loop().stats().handlersOffloaded() == n);
        return sockets;
    }

    @Test
    void sixteenOffloadedConnectionsSleepingHalfASecondEachDoNotWaitForEachOtherAndAWorkerModeServerKeepsAnswering()
            throws Exception {
        Server adaptive = startOnGroup(this::blockingHandler, Option.handlerMode(HandlerMode.ADAPTIVE));
        Server worker = startOnGroup(TestNet::echo, Option.handlerMode(HandlerMode.WORKER));
        int n = 16;
        List<Socket> blockers = offloadedConnections(adaptive, n);
        Socket workerClient = net.socket(worker.port());
        roundTrip(workerClient); // connected and warm

        long t0 = System.nanoTime();
        for (Socket s : blockers) {
            s.getOutputStream().write('B');
        }
        // While they sleep: the worker-mode server of the same group answers at once.
        List<Long> samples = new ArrayList<>();
        InputStream last = blockers.get(n - 1).getInputStream();
        while (last.available() == 0 && System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(400)) {
            samples.add(roundTrip(workerClient));
        }
        long[] done = new long[n];
        for (int i = 0; i < n; i++) {
            assertThat(blockers.get(i).getInputStream().read()).isEqualTo('B');
            done[i] = System.nanoTime() - t0;
        }
        long slowest = TimeUnit.NANOSECONDS.toMillis(
                java.util.Arrays.stream(done).max().orElseThrow());
        // Queued behind each other on the two workers of a 2-core machine they would need 4 s; each
        // gets a thread within a few monitor ticks (bound: 500 ms + 400 ms for a loaded CI machine).
        assertThat(slowest)
                .as("ms until the last of %d half-second calls answered", n)
                .isLessThan(900);
        assertThat(blockedOn).as("threads of the blocking calls").allMatch(t -> t.contains("-offload-"));
        assertThat(blockedOn).hasSize(n);
        assertThat(samples).as("worker-mode round trips during the sleeps").isNotEmpty();
        assertThat(TimeUnit.NANOSECONDS.toMillis(
                        samples.stream().mapToLong(Long::longValue).max().orElseThrow()))
                .as("slowest worker-mode round trip (ms) while the offloaded calls sleep")
                .isLessThan(AdaptiveModeTests.ASSERTED_MS);
        assertThat(group.stats().offloadThreads()).isBetween(n, OFFLOAD_CAP);
    }

    @Test
    void twoThousandBlockedOffloadedConnectionsStayUnderTheThreadCapAndTheRestOfTheGroupKeepsAnswering()
            throws Exception {
        Server adaptive = startOnGroup(this::blockingHandler, Option.handlerMode(HandlerMode.ADAPTIVE));
        Server worker = startOnGroup(TestNet::echo, Option.handlerMode(HandlerMode.WORKER));
        int n = 2_000;
        List<Socket> blockers = offloadedConnections(adaptive, n);
        Socket workerClient = net.socket(worker.port());
        Socket adaptiveClient = net.socket(adaptive.port()); // never blocked: stays on the poller

        for (Socket s : blockers) {
            s.getOutputStream().write('G');
        }
        // The pool grows to its cap, every thread held by the gate, and no further.
        await().atMost(Duration.ofSeconds(20)).until(() -> inGate.get() == OFFLOAD_CAP);
        assertThat(group.stats().offloadThreads()).isEqualTo(OFFLOAD_CAP);
        for (int i = 0; i < 20; i++) {
            assertThat(TimeUnit.NANOSECONDS.toMillis(roundTrip(workerClient)))
                    .as("worker-mode round trip (ms) with %d connections blocked", n)
                    .isLessThan(AdaptiveModeTests.ASSERTED_MS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(roundTrip(adaptiveClient)))
                    .as("adaptive round trip (ms) with %d connections blocked", n)
                    .isLessThan(AdaptiveModeTests.ASSERTED_MS);
        }
        assertThat(inGate.get()).as("calls in the gate: one per offload thread").isEqualTo(OFFLOAD_CAP);
        assertThat(group.stats().offloadThreads()).isEqualTo(OFFLOAD_CAP);
        assertThat(group.stats().roleThreads()).isLessThanOrEqualTo(1 + SPARES);
        gate.countDown();
        for (Socket s : blockers) {
            assertThat(s.getInputStream().read()).isEqualTo('G');
        }
        assertThat(inGate.get()).isEqualTo(n);
        assertThat(blockedOn).hasSizeLessThanOrEqualTo(OFFLOAD_CAP).allMatch(t -> t.contains("-offload-"));
    }

    @Test
    void idleOffloadThreadsExit() throws Exception {
        group = net.closeLater(
                PollerGroup.create(1, SPARES, Duration.ofSeconds(30), OFFLOAD_CAP, Duration.ofMillis(200)));
        Server adaptive = startOnGroup(this::blockingHandler, Option.handlerMode(HandlerMode.ADAPTIVE));
        int n = 4;
        List<Socket> blockers = offloadedConnections(adaptive, n);
        for (Socket s : blockers) {
            s.getOutputStream().write('G');
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> inGate.get() == n);
        assertThat(group.stats().offloadThreads()).isGreaterThanOrEqualTo(n);
        gate.countDown();
        for (Socket s : blockers) {
            assertThat(s.getInputStream().read()).isEqualTo('G');
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> group.stats().offloadThreads() == 0);
    }

    private static long roundTrip(Socket s) throws IOException {
        long t0 = System.nanoTime();
        s.getOutputStream().write('E');
        assertThat(s.getInputStream().read()).isEqualTo('E');
        return System.nanoTime() - t0;
    }

    /** A server on this test's group (its small caps), with the test's options. */
    private Server startOnGroup(OnRequest<?> onRequest, ServerOption... options) throws java.io.IOException {
        ServerOption[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = Option.pollerGroup(group);
        return net.startServer(onRequest, all);
    }
}
