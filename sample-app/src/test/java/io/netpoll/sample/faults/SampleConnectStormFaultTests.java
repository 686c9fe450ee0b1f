package io.netpoll.sample.faults;

import io.netpoll.NetStats;
import io.netpoll.testing.PeerIo;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two thousand connections to the echo and kv servers, opened and closed by four threads in
 * every way a peer can leave (close, reset, after a request, mid-request), while steady clients
 * keep asking: they are answered throughout, and nothing is left behind.
 */
class SampleConnectStormFaultTests extends SampleFaultScenario {

    private static final int STORM = 2000;
    private static final int THREADS = 4;

    @Test
    void connectCloseStormWhileSteadyClientsAreServed() throws Exception {
        NetStats echo = server("echo").getEventLoop().stats();
        NetStats kv = server("kv").getEventLoop().stats();
        long acceptedBefore = echo.connectionsAccepted() + kv.connectionsAccepted();
        long rejectedBefore = echo.connectionsRejected() + kv.connectionsRejected();
        long errorsBefore = echo.handlerErrors() + kv.handlerErrors();
        int[] ports = {port("echo"), port("kv")};
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean over = new AtomicBoolean();
        AtomicInteger steadyAnswers = new AtomicInteger();
        AtomicInteger roundTrips = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        Future<?> steady = exec.submit(() -> {
            go.await();
            try (Socket e = new Socket("127.0.0.1", ports[0]);
                    Socket k = new Socket("127.0.0.1", ports[1])) {
                e.setSoTimeout(5_000); // a stalled server fails the test
                k.setSoTimeout(5_000);
                for (int i = 0; i < 1_000_000 && !(over.get() && i >= 10); i++) {
                    e.getOutputStream().write(Peers.bytes("steady"));
                    assertThat(Peers.text(Peers.read(e.getInputStream(), 6))).isEqualTo("steady");
                    k.getOutputStream().write(Peers.cmd("PING"));
                    assertThat(Peers.text(Peers.read(k.getInputStream(), 7))).isEqualTo("+PONG\r\n");
                    steadyAnswers.incrementAndGet();
                }
            }
            return null;
        });
        List<Future<?>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int first = t;
            threads.add(exec.submit(() -> {
                go.await();
                for (int i = first; i < STORM; i += THREADS) {
                    try {
                        if (oneConnection(i, ports[(i / 4) % 2], (i / 4) % 2 == 0)) {
                            roundTrips.incrementAndGet();
                        }
                    } catch (Throwable ex) {
                        failures.add(new AssertionError("connection " + i, ex));
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
        steady.get(20, TimeUnit.SECONDS);
        assertThat(failures).as("storm failures").isEmpty();
        assertThat(steadyAnswers.get()).isGreaterThanOrEqualTo(10);
        await().atMost(java.time.Duration.ofSeconds(15))
                .until(() -> echo.connectionsActive() + kv.connectionsActive() == 0);
        // Every storm connection reached a server (those closed while still in the backlog are accepted too).
        assertThat(echo.connectionsAccepted() + kv.connectionsAccepted() - acceptedBefore)
                .isBetween(roundTrips.get() + 2L, STORM + 2L);
        assertThat(echo.connectionsRejected() + kv.connectionsRejected()).isEqualTo(rejectedBefore);
        assertThat(echo.handlerErrors() + kv.handlerErrors()).isEqualTo(errorsBefore);
        assertThat(Peers.echoServes(ports[0])).isTrue();
        assertThat(Peers.kvServes(ports[1])).isTrue();
    }

    /** One storm connection; true if it made a round trip. */
    private static boolean oneConnection(int i, int port, boolean echo) throws Exception {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            switch (i % 4) {
                case 0 -> {} // connect, close
                case 1 -> s.setSoLinger(true, 0); // connect, reset
                case 2 -> { // a request and its reply, then close
                    byte[] request = echo ? Peers.bytes("storm " + i) : Peers.cmd("ECHO", "storm " + i);
                    String reply = echo ? "storm " + i : "$" + ("storm " + i).length() + "\r\nstorm " + i + "\r\n";
                    s.getOutputStream().write(request);
                    assertThat(Peers.text(Peers.read(s.getInputStream(), reply.length())))
                            .isEqualTo(reply);
                    return true;
                }
                default ->
                    PeerIo.writeQuietly(
                            s.getOutputStream(), // mid-request, close
                            echo ? new byte[100] : Peers.bytes("*2\r\n$4\r\nECHO\r\n$100\r\nabc"));
            }
            return false;
        }
    }
}
