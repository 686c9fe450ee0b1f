package io.netpoll.testing;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A connect/close storm: {@code count} connections opened by a few threads as fast as they can,
 * each leaving in one of the four ways a peer can leave (by {@code i % 4}: close at once, reset
 * at once, after a round trip, in the middle of a request), spread over the servers' ports, while
 * an optional steady client keeps asking until the storm is over. The protocol (what a round trip
 * and a partial request are) is the caller's {@link Peer}. Shared by netpoll-core's and the
 * sample application's fault tests (through netpoll-core's test-jar).
 *
 * <p>Failures of single storm connections are collected, not thrown, so that a test can report
 * all of them; the steady client's failure is rethrown. Bounded: each storm thread has 50 s, the
 * steady client 20 s after the storm; sockets time out after 10 s.
 */
public final class ConnectStorm {

    private ConnectStorm() {}

    /** The protocol of the storm's round trips. */
    public interface Peer {
        /**
         * One request and its reply on {@code s}, to the server at index {@code server} of the
         * ports; true if a round trip happened (false: the server refused it, where allowed).
         */
        boolean roundTrip(Socket s, int i, int server) throws Exception;

        /** The start of a request to that server, sent before leaving in the middle of it. */
        byte[] partialRequest(int i, int server);
    }

    /** The steady client: runs until {@code stopped} (checked between its requests) says the storm is over. */
    public interface Steady {
        void run(BooleanSupplier stopped) throws Exception;
    }

    /** What the storm saw: the failed connections, and how many made a round trip. */
    public record Result(List<Throwable> failures, int roundTrips) {}

    /** Runs the storm on {@code exec} ({@code threads} + 1 tasks at once) and waits for its end. */
    public static Result run(ExecutorService exec, int[] ports, int count, int threads, Peer peer, Steady steady)
            throws Exception {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
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
        List<Future<?>> storm = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            storm.add(exec.submit(() -> {
                go.await();
                for (int i = first; i < count; i += threads) {
                    try {
                        if (oneConnection(ports, i, peer)) {
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
            for (Future<?> f : storm) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            over.set(true);
        }
        if (steadyRun != null) {
            steadyRun.get(20, TimeUnit.SECONDS); // rethrows the steady client's failure
        }
        return new Result(failures, roundTrips.get());
    }

    /** One storm connection; true if it made a round trip. */
    private static boolean oneConnection(int[] ports, int i, Peer peer) throws Exception {
        int server = (i / 4) % ports.length;
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", ports[server]), 10_000);
            switch (i % 4) {
                case 0 -> {} // connect, close
                case 1 -> s.setSoLinger(true, 0); // connect, reset
                case 2 -> {
                    return peer.roundTrip(s, i, server); // a round trip, then close
                }
                default -> PeerIo.writeQuietly(s.getOutputStream(), peer.partialRequest(i, server)); // mid-request
            }
            return false;
        }
    }
}
