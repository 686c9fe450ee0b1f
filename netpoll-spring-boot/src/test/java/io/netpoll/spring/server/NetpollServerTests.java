package io.netpoll.spring.server;

import io.netpoll.Dialer;
import io.netpoll.EventLoop;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.NetpollTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link NetpollServer}, without Spring.
 */
@Timeout(60)
class NetpollServerTests {

    private final PollerGroup group = PollerGroup.create(1);

    @AfterEach
    void closePollers() {
        this.group.close();
    }

    @Test
    void startServesAndStopCloses() throws Exception {
        NetpollServer server = server(0);
        assertThat(server.getState()).isEqualTo(NetpollServer.State.CREATED);
        assertThat(server.getPort()).isEqualTo(-1);
        assertThat(server.isListening()).isFalse();
        server.start();
        assertThat(server.getState()).isEqualTo(NetpollServer.State.SERVING);
        assertThat(server.isRunning()).isTrue();
        assertThat(server.getLocalAddress())
                .isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getPort()));
        Dialer dialer = Netpoll.newDialer(Option.pollerGroup(this.group));
        assertThat(NetpollTestClient.echo(dialer, server.getPort(), "ping")).isEqualTo("ping");
        server.stop();
        assertThat(server.getState()).isEqualTo(NetpollServer.State.STOPPED);
        assertThat(server.isRunning()).isFalse();
        assertThat(server.getEventLoop().isShutdown()).isTrue();
        server.stop();
    }

    @Test
    void startTwiceIsHarmlessButAStoppedServerCannotRestart() {
        NetpollServer server = server(0);
        server.start();
        int port = server.getPort();
        server.start();
        assertThat(server.getPort()).isEqualTo(port);
        server.stop();
        assertThatExceptionOfType(IllegalStateException.class)
                .isThrownBy(server::start)
                .withMessageContaining("cannot be restarted");
    }

    @Test
    void concurrentStartStopAndGracefulShutdownAlwaysEndStoppedWithNothingListening() throws Exception {
        for (int i = 0; i < 20; i++) {
            NetpollServer server = server(0);
            CountDownLatch go = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicInteger callbacks = new java.util.concurrent.atomic.AtomicInteger();
            CountDownLatch drained = new CountDownLatch(1);
            Thread starter = new Thread(() -> {
                await(go);
                try {
                    server.start();
                } catch (IllegalStateException ex) {
                    // stop() came first: a stopped server cannot start, which is the contract
                }
            });
            Thread drainer = new Thread(() -> {
                await(go);
                server.shutDownGracefully(() -> {
                    callbacks.incrementAndGet();
                    drained.countDown();
                });
            });
            Thread stopper = new Thread(() -> {
                await(go);
                server.stop();
            });
            starter.start();
            drainer.start();
            stopper.start();
            go.countDown();
            starter.join(10_000);
            drainer.join(10_000);
            stopper.join(10_000);
            assertThat(drained.await(10, TimeUnit.SECONDS)).isTrue();
            // Whatever the interleaving: a server that started is stopped again by stop() below
            // at the latest, and ends STOPPED with its listener closed.
            server.stop();
            assertThat(server.getState()).isEqualTo(NetpollServer.State.STOPPED);
            assertThat(server.isListening()).isFalse();
            assertThat(callbacks.get()).isEqualTo(1);
            if (server.getPort() > 0) {
                assertThat(server.getEventLoop().isShutdown()).isTrue();
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void stopBeforeStartOnlyMarksItStopped() {
        NetpollServer server = server(0);
        server.stop();
        assertThat(server.getState()).isEqualTo(NetpollServer.State.STOPPED);
    }

    @Test
    void gracefulShutdownOfAnIdleServerEndsAtOnce() throws Exception {
        NetpollServer server = server(0);
        server.start();
        CountDownLatch done = new CountDownLatch(1);
        server.shutDownGracefully(done::countDown);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(server.getState()).isEqualTo(NetpollServer.State.STOPPED);
        assertThat(server.getShutdownResult().graceful()).isTrue();
        server.stop();
    }

    @Test
    void gracefulShutdownOfAServerThatNeverStartedCallsBackAtOnce() {
        NetpollServer server = server(0);
        CountDownLatch done = new CountDownLatch(1);
        server.shutDownGracefully(done::countDown);
        assertThat(done.getCount()).isZero();
    }

    @Test
    void portInUseIsReportedWithTheServerAndTheProperty() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            NetpollServer server = server(taken.getLocalPort());
            assertThatExceptionOfType(NetpollPortInUseException.class)
                    .isThrownBy(server::start)
                    .satisfies((ex) -> {
                        assertThat(ex.getServerName()).isEqualTo("default");
                        assertThat(ex.getAction()).contains("'netpoll.server.port'");
                    });
            assertThat(server.getState()).isEqualTo(NetpollServer.State.CREATED);
            server.stop();
        }
    }

    @Test
    void endpointNamesTheNamedServersProperties() {
        NetpollServer.Endpoint endpoint =
                new NetpollServer.Endpoint("admin", NetpollServer.Endpoint.Network.TCP, null, 9001, null, 0, 0);
        assertThat(endpoint.propertyPrefix()).isEqualTo("netpoll.servers.admin");
        assertThat(endpoint.describe()).isEqualTo("* port 9001");
    }

    private NetpollServer server(int port) {
        EventLoop eventLoop = Netpoll.newEventLoop(new EchoHandler(), Option.pollerGroup(this.group));
        NetpollServer.Endpoint endpoint = new NetpollServer.Endpoint(
                "default", NetpollServer.Endpoint.Network.TCP, InetAddress.getLoopbackAddress(), port, null, 0, 0);
        return new NetpollServer("default", eventLoop, endpoint, Duration.ofSeconds(5));
    }
}
