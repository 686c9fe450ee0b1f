package io.netpoll.faults;

import io.netpoll.Option;
import io.netpoll.faults.Frames.Mode;
import io.netpoll.testing.ConnectStorm;
import io.netpoll.testing.PeerIo;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static io.netpoll.testing.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of connections opened and closed as fast as four threads can, in every way a peer
 * can leave (close, reset, after a round trip, mid-frame), while one steady client keeps asking:
 * it is answered throughout, and nothing is left behind.
 */
class ConnectStormFaultTests {
    @RegisterExtension
    final TestNet net = TestNet.faultScenario();

    private static final int STORM = 2000;
    private static final int THREADS = 4;

    @Test
    void connectCloseStormWhileSteadyClientsAreServed() throws Exception {
        // One storm over both kinds of server (blocking on workers, non-blocking inline).
        Server blocking = net.startServer(Mode.BLOCKING_WORKER.handler(), Mode.BLOCKING_WORKER.options());
        Server inline = net.startServer(Mode.NON_BLOCKING_INLINE.handler(), Mode.NON_BLOCKING_INLINE.options());
        int[] ports = {blocking.port(), inline.port()};
        AtomicInteger answered = new AtomicInteger();
        ConnectStorm.Result storm = storm(ports, STORM, false, stopped -> {
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
        assertThat(storm.failures()).as("storm failures").isEmpty();
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
        assertThat(accepted).isBetween(storm.roundTrips() + 2L, STORM + 4L);
    }

    @Test
    void stormAgainstAConnectionLimitIsRejectedAndCounted() throws Exception {
        Server server = net.startServer(
                Mode.BLOCKING_WORKER.handler(), Mode.BLOCKING_WORKER.options(Option.maxConnections(20)));
        int connections = 500;
        ConnectStorm.Result storm = storm(new int[] {server.port()}, connections, true, null);
        assertThat(storm.failures()).as("storm failures").isEmpty();
        await().atMost(Duration.ofSeconds(15)).until(() -> server.loop().stats().connectionsActive() == 0);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> server.loop().stats().connectionsAccepted()
                                + server.loop().stats().connectionsRejected()
                        == connections);
        assertThat(server.loop().stats().connectionsAccepted()).isGreaterThanOrEqualTo(storm.roundTrips());
        assertThat(server.loop().stats().handlerErrors()).isZero();
        assertThat(Frames.freshClientServed(server.port(), 5)).isTrue();
    }

    /**
     * {@code count} connections from {@link #THREADS} threads, spread over {@code ports}, each a
     * frame round trip when it makes one; {@code steady} (if any) runs until the storm is over.
     * With {@code limited}, a round trip may end in EOF or a reset (rejected by the connection limit).
     */
    private ConnectStorm.Result storm(int[] ports, int count, boolean limited, ConnectStorm.Steady steady)
            throws Exception {
        return ConnectStorm.run(net.exec(), ports, count, THREADS, new FramePeer(limited), steady);
    }

    /** Round trips of one frame; mid-request: a frame header announcing more than follows. */
    private record FramePeer(boolean limited) implements ConnectStorm.Peer {
        @Override
        public boolean roundTrip(Socket s, int i, int server) throws IOException {
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

        @Override
        public byte[] partialRequest(int i, int server) {
            return new byte[] {0, 100, 1, 2, 3}; // mid-frame, close
        }
    }
}
