package io.netpoll.sample.faults;

import io.netpoll.NetStats;
import io.netpoll.testing.ConnectStorm;
import org.junit.jupiter.api.Test;

import java.net.Socket;
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
        AtomicInteger steadyAnswers = new AtomicInteger();
        ConnectStorm.Result storm = ConnectStorm.run(exec, ports, STORM, THREADS, new EchoAndKvPeer(), stopped -> {
            try (Socket e = new Socket("127.0.0.1", ports[0]);
                    Socket k = new Socket("127.0.0.1", ports[1])) {
                e.setSoTimeout(5_000); // a stalled server fails the test
                k.setSoTimeout(5_000);
                for (int i = 0; i < 1_000_000 && !(stopped.getAsBoolean() && i >= 10); i++) {
                    e.getOutputStream().write(Peers.bytes("steady"));
                    assertThat(Peers.text(Peers.read(e.getInputStream(), 6))).isEqualTo("steady");
                    k.getOutputStream().write(Peers.cmd("PING"));
                    assertThat(Peers.text(Peers.read(k.getInputStream(), 7))).isEqualTo("+PONG\r\n");
                    steadyAnswers.incrementAndGet();
                }
            }
        });
        assertThat(storm.failures()).as("storm failures").isEmpty();
        assertThat(steadyAnswers.get()).isGreaterThanOrEqualTo(10);
        await().atMost(java.time.Duration.ofSeconds(15))
                .until(() -> echo.connectionsActive() + kv.connectionsActive() == 0);
        // Every storm connection reached a server (those closed while still in the backlog are accepted too).
        assertThat(echo.connectionsAccepted() + kv.connectionsAccepted() - acceptedBefore)
                .isBetween(storm.roundTrips() + 2L, STORM + 2L);
        assertThat(echo.connectionsRejected() + kv.connectionsRejected()).isEqualTo(rejectedBefore);
        assertThat(echo.handlerErrors() + kv.handlerErrors()).isEqualTo(errorsBefore);
        assertThat(Peers.echoServes(ports[0])).isTrue();
        assertThat(Peers.kvServes(ports[1])).isTrue();
    }

    /** Server 0 is echo (raw bytes), server 1 kv (RESP): a request and its reply, or the start of one. */
    private static final class EchoAndKvPeer implements ConnectStorm.Peer {
        @Override
        public boolean roundTrip(Socket s, int i, int server) throws Exception {
            boolean echo = server == 0;
            byte[] request = echo ? Peers.bytes("storm " + i) : Peers.cmd("ECHO", "storm " + i);
            String reply = echo ? "storm " + i : "$" + ("storm " + i).length() + "\r\nstorm " + i + "\r\n";
            s.getOutputStream().write(request);
            assertThat(Peers.text(Peers.read(s.getInputStream(), reply.length())))
                    .isEqualTo(reply);
            return true;
        }

        @Override
        public byte[] partialRequest(int i, int server) {
            return server == 0 ? new byte[100] : Peers.bytes("*2\r\n$4\r\nECHO\r\n$100\r\nabc");
        }
    }
}
