package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link Connection#addClosingCallback}: runs when the close begins, even while the handler is
 * blocked, so a proxy's handler blocked in a flush to an upstream that never reads is woken at
 * once when its client resets (the close callback would wait for that very handler).
 */
class ClosingCallbackTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    @ParameterizedTest
    @EnumSource(
            value = HandlerMode.class,
            names = {"ADAPTIVE", "WORKER"})
    void aClientResetWakesItsHandlerBlockedInAFlushToAnUpstreamThatNeverReads(HandlerMode mode) throws Exception {
        ServerSocket blackhole = net.closeLater(new ServerSocket());
        blackhole.setReceiveBufferSize(4096);
        blackhole.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        List<Socket> held = new CopyOnWriteArrayList<>();
        net.exec().execute(() -> {
            try {
                held.add(net.closeLater(blackhole.accept())); // never read
            } catch (IOException closed) {
                // the test is over
            }
        });
        // Another group: the upstream's poller is never the handler's, so the flush waits for the socket.
        PollerGroup upstreamGroup = net.closeLater(PollerGroup.create(1));
        Dialer dialer = Netpoll.newDialer(DialerConfig.builder()
                .pollerGroup(upstreamGroup)
                .sendBufferSize(8192)
                .writeTimeout(Duration.ofSeconds(60))
                .build());
        AtomicReference<Connection> upstreamRef = new AtomicReference<>();
        BlockingQueue<Throwable> outcome = new ArrayBlockingQueue<>(1);
        BlockingQueue<String> flushing = new ArrayBlockingQueue<>(1);
        Server server = net.startServer(
                (ctx, client) -> {
                    client.reader().skip(client.reader().len());
                    Connection upstream = dialer.dialConnection(
                            "tcp", "127.0.0.1:" + blackhole.getLocalPort(), Duration.ofSeconds(5));
                    upstreamRef.set(upstream);
                    client.addClosingCallback(c -> upstream.close());
                    try {
                        flushing.add("flushing");
                        // Far more than the kernel takes, in 1 MiB flushes as a proxy forwards: a
                        // flush by a thread still holding its poller's role queues the first MiB
                        // without waiting (whether the monitor took the role meanwhile is timing);
                        // the next finds the upstream a high-water mark behind and waits.
                        for (int i = 0; i < 16; i++) {
                            upstream.writer().writeBinary(ByteBuffer.allocate(1 << 20));
                            upstream.writer().flush();
                        }
                        outcome.add(new AssertionError("the flushes to a blackhole returned"));
                    } catch (ConnectionClosedException e) {
                        outcome.add(e);
                    }
                },
                Option.handlerMode(mode));
        Socket s = net.socket(server.port());
        s.getOutputStream().write(1);
        assertThat(flushing.poll(5, TimeUnit.SECONDS)).isEqualTo("flushing");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().requestsActive() == 1);
        long start = System.nanoTime();
        s.setSoLinger(true, 0);
        s.close(); // RST
        assertThat(outcome.poll(5, TimeUnit.SECONDS)).isInstanceOf(ConnectionClosedException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("well within the 60 s write timeout")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(upstreamRef.get().isOpen()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> dialer.stats().connectionsActive() == 0);
        assertThat(server.loop().stats().handlerErrors()).isZero();
    }

    @Test
    void aClosingCallbackAddedAfterTheCloseRunsAtOnceAndEachRunsOnce() throws Exception {
        BlockingQueue<String> runs = new ArrayBlockingQueue<>(4);
        Server server = net.echoServer();
        Connection c = net.dialer().dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(5));
        c.addClosingCallback(x -> runs.add("first"));
        c.addClosingCallback(x -> {
            throw new IllegalStateException("ignored");
        });
        c.close();
        c.close();
        c.addClosingCallback(x -> runs.add("late"));
        assertThat(runs.poll(5, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(runs.poll(5, TimeUnit.SECONDS)).isEqualTo("late");
        assertThat(runs).isEmpty();
    }
}
