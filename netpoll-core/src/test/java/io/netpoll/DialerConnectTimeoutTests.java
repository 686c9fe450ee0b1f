package io.netpoll;

import io.netpoll.testing.TestNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Option#connectTimeout}: the dialer-wide connect timeout of the calls without a timeout
 * argument. Only loopback: a closed ephemeral port for a refused dial, and a listener whose
 * accept queue is full for a dial that does not complete (Linux drops a SYN while the listener's
 * accept queue is full, so the handshake never finishes, exactly like an unreachable host).
 */
class DialerConnectTimeoutTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    @Test
    void aDialerHasNoConnectTimeoutUnlessGivenOne() {
        assertThat(net.dialer().connectTimeout()).isNull();
        assertThat(net.dialer(Option.connectTimeout(Duration.ZERO)).connectTimeout())
                .isNull();
        assertThat(net.dialer(Option.connectTimeout(Duration.ofSeconds(3))).connectTimeout())
                .isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> Option.connectTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClosedPortIsRefusedAtOnce() throws Exception {
        int port;
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        Dialer dialer = net.dialer(Option.connectTimeout(Duration.ofSeconds(30)));
        long start = System.nanoTime();
        assertThatThrownBy(() -> dialer.dialConnection("tcp", "127.0.0.1:" + port))
                .isInstanceOf(ConnectException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(dialer.stats().connectionsAccepted()).isZero();
    }

    @Test
    void callsWithoutATimeoutUseTheDialersAndAnExplicitOneWins() throws Exception {
        try (ServerSocketChannel full = ServerSocketChannel.open()) {
            full.bind(new InetSocketAddress("127.0.0.1", 0), 1); // never accepts
            InetSocketAddress remote = (InetSocketAddress) full.getLocalAddress();
            String address = "127.0.0.1:" + remote.getPort();
            Dialer dialer = net.dialer(Option.connectTimeout(Duration.ofMillis(300)));
            List<Connection> queued = new ArrayList<>();
            try {
                fillAcceptQueue(dialer, address, queued);

                long start = System.nanoTime();
                assertThatThrownBy(() -> dialer.dialConnection("tcp", address))
                        .isInstanceOf(DialTimeoutException.class);
                Duration waited = Duration.ofNanos(System.nanoTime() - start);
                assertThat(waited)
                        .isGreaterThanOrEqualTo(Duration.ofMillis(250))
                        .isLessThan(Duration.ofSeconds(10));

                assertThatThrownBy(() -> dialer.dialTCP("tcp", null, remote)).isInstanceOf(DialTimeoutException.class);

                start = System.nanoTime();
                assertThatThrownBy(() -> dialer.dialConnection("tcp", address, Duration.ofMillis(50)))
                        .isInstanceOf(DialTimeoutException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("the explicit 50 ms, not the dialer's 300 ms")
                        .isLessThan(Duration.ofMillis(250));
            } finally {
                queued.forEach(Connection::close);
            }
        }
    }

    /** Dials until a dial times out: from then on the listener's accept queue is full. Bounded. */
    private static void fillAcceptQueue(Dialer dialer, String address, List<Connection> queued) throws Exception {
        for (int i = 0; i < 32; i++) {
            try {
                queued.add(dialer.dialConnection("tcp", address, Duration.ofMillis(200)));
            } catch (DialTimeoutException e) {
                return;
            }
        }
        throw new AssertionError("the accept queue never filled up after " + queued.size() + " connections");
    }
}
