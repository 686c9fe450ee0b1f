package io.netpoll;

import io.netpoll.buffer.Reader;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.TestNet.pattern;
import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link ConnectionInfo#idleNanos()} with and without an idle timeout: activity is stamped with
 * the serving poller's coarse clock, so a connection silent for a known span reports at least
 * that span, and one that read or wrote a moment ago reports a small idle time, whether the
 * activity was a read, a write from the handler, or a write from an application thread while the
 * poller sleeps in select.
 */
class ConnectionIdleTimeTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    /** How long the silent connection stays silent. */
    private static final long SPAN = TimeUnit.MILLISECONDS.toNanos(400);
    /** What "a moment ago" may read as on a loaded machine: well under the span. */
    private static final long RECENT = SPAN / 2;

    private static ServerOption[] options(HandlerMode mode, boolean idleTimeout) {
        return idleTimeout
                ? new ServerOption[] {Option.handlerMode(mode), Option.idleTimeout(Duration.ofMinutes(5))}
                : new ServerOption[] {Option.handlerMode(mode)};
    }

    @ParameterizedTest(name = "{0}, idle timeout {1}")
    @CsvSource({"ADAPTIVE, true", "ADAPTIVE, false", "WORKER, true", "WORKER, false", "INLINE, false"})
    void aSilentConnectionReportsAtLeastItsSilenceAndAnEchoingOneLittle(HandlerMode mode, boolean idleTimeout)
            throws Exception {
        Server server = net.startServer(TestNet::echo, options(mode, idleTimeout));
        Socket silent = net.socket(server.port());
        exchange(silent, 3);
        // The server counts what it sent after it stamps the send: once the count shows, so does the stamp.
        await().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .atMost(Duration.ofSeconds(10))
                .until(() -> server.loop()
                                .connections(1, ConnectionInfo.Order.OLDEST)
                                .get(0)
                                .bytesOut()
                        == 3);
        long silentSince = System.nanoTime(); // its last byte was read and written before this
        Socket active = net.socket(server.port());
        // Activity on the other connection until the span has passed (bounded by the clock).
        while (System.nanoTime() - silentSince < SPAN) {
            exchange(active, 5);
        }
        List<ConnectionInfo> infos = server.loop().connections(10, ConnectionInfo.Order.OLDEST);
        long elapsed = System.nanoTime() - silentSince;
        ConnectionInfo quiet = find(infos, silent);
        ConnectionInfo busy = find(infos, active);

        assertThat(quiet.idleNanos()).isGreaterThanOrEqualTo(SPAN).isLessThanOrEqualTo(quiet.ageNanos());
        assertThat(quiet.idleNanos())
                .as("measured from its last exchange, not from its creation")
                .isLessThan(elapsed + TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(busy.idleNanos()).isBetween(0L, RECENT);
        assertThat(busy.bytesIn()).isPositive();
    }

    @ParameterizedTest(name = "idle timeout {0}")
    @ValueSource(booleans = {true, false})
    void readsAloneAndWritesFromAnApplicationThreadAloneCountAsActivity(boolean idleTimeout) throws Exception {
        BlockingQueue<Connection> accepted = new ArrayBlockingQueue<>(3);
        ServerOption[] base = options(HandlerMode.ADAPTIVE, idleTimeout);
        ServerOption[] all = java.util.Arrays.copyOf(base, base.length + 1);
        all[base.length] = Option.onConnect((ctx, c) -> {
            accepted.add(c);
            return ctx;
        });
        // Consumes what arrives and never answers: the reading connection only reads.
        Server server = net.startServer(
                (ctx, c) -> {
                    Reader r = c.reader();
                    r.skip(r.len());
                    r.release();
                },
                all);
        Socket silent = net.socket(server.port());
        Connection silentConn = accepted.poll(10, TimeUnit.SECONDS);
        long silentUp = System.nanoTime(); // it exists: it was set up before this
        Socket reading = net.socket(server.port());
        accepted.poll(10, TimeUnit.SECONDS);
        Socket pushedTo = net.socket(server.port());
        Connection pushing = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(silentConn).isNotNull();
        assertThat(pushing).isNotNull();

        long sent = 0;
        while (System.nanoTime() - silentUp < SPAN) {
            reading.getOutputStream().write('r');
            sent++;
            // A write by this thread (not the poller's): the poller sleeps in select meanwhile.
            pushing.writer().writeString("p");
            pushing.writer().flush();
            assertThat(pushedTo.getInputStream().read()).isEqualTo('p');
        }
        long expected = sent;
        // The last byte read: poll often, the wait itself must not look like idleness.
        await().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .atMost(Duration.ofSeconds(10))
                .until(() -> find(server.loop().connections(10, ConnectionInfo.Order.OLDEST), reading)
                                .bytesIn()
                        == expected);
        List<ConnectionInfo> infos = server.loop().connections(10, ConnectionInfo.Order.OLDEST);

        ConnectionInfo quiet = find(infos, silent);
        assertThat(quiet.bytesIn()).isZero();
        assertThat(quiet.ageNanos()).isGreaterThanOrEqualTo(SPAN);
        assertThat(quiet.idleNanos())
                .as("never active: idle since it was set up")
                .isEqualTo(quiet.ageNanos());
        ConnectionInfo reader = find(infos, reading);
        assertThat(reader.bytesOut()).isZero();
        assertThat(reader.idleNanos()).isBetween(0L, RECENT);
        ConnectionInfo pushed = find(infos, pushedTo);
        assertThat(pushed.bytesIn()).isZero();
        assertThat(pushed.bytesOut()).isEqualTo(expected);
        assertThat(pushed.idleNanos()).isBetween(0L, RECENT);
    }

    private static ConnectionInfo find(List<ConnectionInfo> infos, Socket client) {
        return infos.stream()
                .filter(i -> ((InetSocketAddress) i.remoteAddress()).getPort() == client.getLocalPort())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no connection for " + client));
    }

    private static void exchange(Socket s, int n) throws IOException {
        byte[] data = pattern(n, n);
        s.getOutputStream().write(data);
        assertThat(readFully(s.getInputStream(), n)).isEqualTo(data);
    }
}
