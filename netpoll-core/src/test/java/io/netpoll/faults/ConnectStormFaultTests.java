package io.netpoll.faults;

import io.netpoll.Option;
import io.netpoll.faults.Frames.Mode;
import io.netpoll.testing.PeerIo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of connections opened and closed as fast as four threads can, in every way a peer
 * can leave (close, reset, after a round trip, mid-frame), while one steady client keeps asking:
 * it is answered throughout, and nothing is left behind.
 */
class ConnectStormFaultTests extends FaultScenario {
    private static final int STORM = 2000;
    private static final int THREADS = 4;

    @Test
    void connectCloseStormWhileSteadyClientsAreServed() throws Exception {
        // One storm over both kinds of server (blocking on workers, non-blocking inline).
        Server blocking = startServer(Mode.BLOCKING_WORKER.handler(), Mode.BLOCKING_WORKER.options());
        Server inline = startServer(Mode.NON_BLOCKING_INLINE.handler(), Mode.NON_BLOCKING_INLINE.options());
        int[] ports = {blocking.port(), inline.port()};
        AtomicInteger answered = new AtomicInteger();
        StormResult storm = storm(ports, STORM, false, stopped -> {
            // Steady clients: one round trip at a time on each server while the storm lasts.
            try (Socket a = new Socket("127.0.0.1", ports[0]);
                    Socket b = new Socket("127.0.0.1", ports[1])) {
                for (Socket s : new Socket[] {a, b}) {
                    s.setSoTimeout(5_000); // a stalled server fails the test
                    s.setTcpNoDelay(true);
                }
                for (int i = 0; i < 1_000_000 && !(stopped.getAsBoolean() && i >= 10); i++) {
                    assertThat(Frames.roundTrip(i % 2 == 0 ? a : b, new byte[] {(byte) i, 1, 2, 3}))
                            .isTrue();
                    answered.incrementAndGet();
                }
            }
        });
        assertThat(storm.failures).as("storm failures").isEmpty();
        assertThat(answered.get()).as("steady round trips during the storm").isGreaterThanOrEqualTo(10);
        long accepted = 0;
        for (Server server : new Server[] {blocking, inline}) {
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> server.loop().stats().connectionsActive() == 0);
            accepted += server.loop().stats().connectionsAccepted();
            assertThat(server.loop().stats().connectionsRejected()).isZero();
            assertThat(server.loop().stats().handlerErrors()).isZero();
            assertThat(Frames.freshClientServed(server.port(), 4)).isTrue();
        }
        // Every storm connection reached a server (those closed while still in the backlog are accepted too).
        assertThat(accepted).isBetween(storm.roundTrips + 2L, STORM + 4L);
    }

    @Test
    void stormAgainstAConnectionLimitIsRejectedAndCounted() throws Exception {
        Server server = startServer(Mode.BLOCKING_WORKER.handler(), Option.maxConnections(20));
        int connections = 500;
        StormResult storm = storm(new int[] {server.port()}, connections, true, null);
        assertThat(storm.failures).as("storm failures").isEmpty();
        await().atMost(Duration.ofSeconds(15)).until(() -> server.loop().stats().connectionsActive() == 0);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> server.loop().stats().connectionsAccepted()
                                + server.loop().stats().connectionsRejected()
                        == connections);
        assertThat(server.loop().stats().connectionsAccepted()).isGreaterThanOrEqualTo(storm.roundTrips);
        assertThat(server.loop().stats().handlerErrors()).isZero();
        assertThat(Frames.freshClientServed(server.port(), 5)).isTrue();
    }

    private record StormResult(List<Throwable> failures, int roundTrips) {}

    private interface Steady {
        void run(BooleanSupplier stopped) throws Exception;
    }

    /**
     * {@code count} connections from {@link #THREADS} threads, spread over {@code ports};
     * {@code steady} (if any) runs until the storm is over. With {@code limited}, a round trip
     * may end in EOF or a reset (rejected by the connection limit).
     */
    private StormResult storm(int[] ports, int count, boolean limited, Steady steady) throws Exception {
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger roundTrips = new AtomicInteger();
        AtomicBoolean over = new AtomicBoolean();
        CountDownLatch go = new CountDownLatch(1);
        Future<?> steadyRun = steady == null
                ? null
                : exec.submit(() -> {
                    go.await();
                    steady.run(over::get);
                    return null;
                });
        List<Future<?>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int first = t;
            threads.add(exec.submit(() -> {
                go.await();
                for (int i = first; i < count; i += THREADS) {
                    try {
                        if (oneConnection(ports[(i / 4) % ports.length], i, limited)) {
                            roundTrips.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(new AssertionError("connection " + i, e));
                    }
                }
                return null;
            }));
        }
        go.countDown();
        try {
            for (Future<?> f : threads) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            over.set(true);
        }
        if (steadyRun != null) {
            steadyRun.get(20, TimeUnit.SECONDS); // rethrows the steady client's failure
        }
        return new StormResult(failures, roundTrips.get());
    }

    /** One storm connection; true if it made a round trip. */
    private static boolean oneConnection(int port, int i, boolean limited) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            switch (i % 4) {
                case 0 -> {} // connect, close
                case 1 -> s.setSoLinger(true, 0); // connect, reset
                case 2 -> { // a round trip, then close
                    byte[] f = Frames.frame(new byte[] {(byte) i});
                    if (!limited) {
                        s.getOutputStream().write(f);
                        assertThat(s.getInputStream().readNBytes(f.length)).isEqualTo(f);
                        return true;
                    }
                    PeerIo.writeQuietly(s.getOutputStream(), f);
                    byte[] back = PeerIo.readUpTo(s.getInputStream(), f.length);
                    if (back.length == 0) {
                        return false; // rejected: EOF or reset, nothing else
                    }
                    assertThat(back).isEqualTo(f);
                    return true;
                }
                default -> PeerIo.writeQuietly(s.getOutputStream(), new byte[] {0, 100, 1, 2, 3}); // mid-frame, close
            }
            return false;
        }
    }
}
