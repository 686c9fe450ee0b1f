package io.netpoll;

import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.netpoll.testing.TestNet.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class PeerBehaviourTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    @Test
    void peerResetMidFrameWakesTheBlockedHandlerAndFreesTheConnection() throws Exception {
        BlockingQueue<Throwable> outcome = new ArrayBlockingQueue<>(1);
        BlockingQueue<String> closed = new ArrayBlockingQueue<>(1);
        Server server = net.startServer((ctx, c) -> {
            c.addCloseCallback(x -> closed.add("closed"));
            try {
                c.reader().next(1000);
            } catch (IOException e) {
                outcome.add(e);
                throw e;
            }
        });
        Socket s = net.socket(server.port());
        s.getOutputStream().write(new byte[10]);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().requestsActive() == 1);
        s.setSoLinger(true, 0);
        s.close(); // RST
        assertThat(outcome.poll(5, TimeUnit.SECONDS)).isInstanceOf(ConnectionClosedException.class);
        assertThat(closed.poll(5, TimeUnit.SECONDS)).isEqualTo("closed");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().handlerErrors()).isZero();
    }

    @Test
    void appendingASliceToAConnectionThatHasClosedHandsTheSliceOverAndFreesIt() throws Exception {
        // A proxy's race, found by the soak test: the upstream closes while the client's handler
        // forwards a slice of its input to it.
        ServerSocketChannel plain = net.closeLater(ServerSocketChannel.open());
        plain.bind(new InetSocketAddress("127.0.0.1", 0));
        Connection upstream = net.dialer()
                .dialConnection(
                        "tcp",
                        "127.0.0.1:" + ((InetSocketAddress) plain.getLocalAddress()).getPort(),
                        Duration.ofSeconds(1));
        upstream.close();
        BlockingQueue<Throwable> outcome = new ArrayBlockingQueue<>(1);
        AtomicReference<LinkBuffer> forwarded = new AtomicReference<>();
        Server server = net.startServer((ctx, c) -> {
            LinkBuffer slice = c.reader().slice(c.reader().len());
            forwarded.set(slice); // still reachable: a slice left open would hold its nodes
            try {
                upstream.writer().append(slice);
                outcome.add(new AssertionError("append to a closed connection succeeded"));
            } catch (ConnectionClosedException expected) {
                outcome.add(expected);
            }
        });
        Socket s = net.socket(server.port());
        s.getOutputStream().write(pattern(5000, 9));
        assertThat(outcome.poll(5, TimeUnit.SECONDS)).isInstanceOf(ConnectionClosedException.class);
        s.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(forwarded.get()).isNotNull();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> BufferPool.defaultPool().stats().outstandingNodes() == 0);
    }

    @Test
    void dataSentBeforeHalfCloseIsDeliveredAndAnswered() throws Exception {
        Server server = net.echoServer();
        Socket s = net.socket(server.port());
        byte[] msg = pattern(100_000, 3);
        s.getOutputStream().write(msg);
        s.shutdownOutput(); // FIN right behind the data
        byte[] back = s.getInputStream().readNBytes(msg.length + 1);
        assertThat(back).isEqualTo(msg); // then EOF: the server closed after answering
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
    }

    @Test
    void halfCloseOnClientConnectionDeliversDataThenEof() throws Exception {
        ServerSocketChannel plain = net.closeLater(ServerSocketChannel.open());
        plain.bind(new InetSocketAddress("127.0.0.1", 0));
        Connection c = net.dialer()
                .dialConnection(
                        "tcp",
                        "127.0.0.1:" + ((InetSocketAddress) plain.getLocalAddress()).getPort(),
                        Duration.ofSeconds(1));
        try (var peer = plain.accept()) {
            peer.write(ByteBuffer.wrap("last words".getBytes()));
            peer.shutdownOutput();
            assertThat(c.reader().readString(10)).isEqualTo("last words");
            assertThatThrownBy(() -> c.reader().next(1)).isInstanceOf(ConnectionClosedException.class);
            assertThat(c.isActive()).isFalse();
            assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
    }

    @Test
    void peerThatStopsReadingBlocksFlushUntilTheWriteTimeoutWhichClosesTheConnection() throws Exception {
        ServerSocketChannel plain = net.closeLater(ServerSocketChannel.open());
        plain.bind(new InetSocketAddress("127.0.0.1", 0));
        Dialer dialer = net.dialer(Option.writeTimeout(Duration.ofMillis(300)));
        Connection c = dialer.dialConnection(
                "tcp", "127.0.0.1:" + ((InetSocketAddress) plain.getLocalAddress()).getPort(), Duration.ofSeconds(1));
        CompletableFuture<String> closed = new CompletableFuture<>();
        c.addCloseCallback(x -> closed.complete("closed"));
        try (var peer = plain.accept()) { // accepted, never read
            byte[] chunk = new byte[1 << 20];
            long start = System.nanoTime();
            assertThatThrownBy(() -> {
                        for (int i = 0; i < 1000; i++) { // bounded: the socket buffers are far smaller than 1 GB
                            c.writer().writeBinary(chunk);
                            c.writer().flush();
                        }
                    })
                    .isInstanceOf(WriteTimeoutException.class)
                    .hasMessageContaining("closed");
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
            // Part of a chunk may have gone out: the stream is broken, so the connection is closed and counted.
            assertThat(c.isOpen()).as("a write timeout closes the connection").isFalse();
            assertThat(dialer.stats().writeTimeoutCloses()).isEqualTo(1);
            assertThatThrownBy(() -> c.reader().next(1))
                    .isInstanceOf(ConnectionClosedException.class)
                    .hasMessageContaining("write timeout");
            assertThat(closed.get(5, TimeUnit.SECONDS)).isEqualTo("closed");
            // The peer gets what was sent, then EOF.
            peer.socket().setSoTimeout(20_000);
            long received = peer.socket().getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            assertThat(received).isPositive();
            await().atMost(Duration.ofSeconds(5)).until(() -> dialer.stats().connectionsActive() == 0);
        }
    }

    @Test
    void readTimeoutLeavesTheConnectionOpen() throws Exception {
        ServerSocketChannel plain = net.closeLater(ServerSocketChannel.open());
        plain.bind(new InetSocketAddress("127.0.0.1", 0));
        Dialer dialer = net.dialer(Option.readTimeout(Duration.ofMillis(100)));
        Connection c = net.closeLater(dialer.dialConnection(
                "tcp", "127.0.0.1:" + ((InetSocketAddress) plain.getLocalAddress()).getPort(), Duration.ofSeconds(1)));
        try (var peer = plain.accept()) {
            assertThatThrownBy(() -> c.reader().next(1)).isInstanceOf(ReadTimeoutException.class);
            assertThat(c.isOpen()).isTrue();
            peer.write(ByteBuffer.wrap(new byte[] {42}));
            assertThat(c.reader().readByte()).isEqualTo((byte) 42);
            assertThat(dialer.stats().writeTimeoutCloses()).isZero();
        }
    }

    @Test
    void dialToAClosedPortFailsFastWithAClearError() throws Exception {
        int port;
        try (ServerSocketChannel tmp = ServerSocketChannel.open()) {
            tmp.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) tmp.getLocalAddress()).getPort();
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> net.dialer().dialConnection("tcp", "127.0.0.1:" + port, Duration.ofSeconds(5)))
                .isInstanceOf(ConnectException.class);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(2));
        assertThatThrownBy(() -> net.dialer().dialConnection("tcp", "127.0.0.1", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> net.dialer().dialConnection("udp", "127.0.0.1:1", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dialTimeoutWhenTheListenQueueIsFull() throws Exception {
        // A listener that never accepts, with a backlog of 1: once its queue is full the kernel
        // drops further SYNs, so a dial cannot complete.
        ServerSocketChannel full = net.closeLater(ServerSocketChannel.open());
        full.bind(new InetSocketAddress("127.0.0.1", 0), 1);
        int port = ((InetSocketAddress) full.getLocalAddress()).getPort();
        List<Socket> fillers = new ArrayList<>();
        DialTimeoutException timedOut = null;
        for (int i = 0; i < 16 && timedOut == null; i++) { // bounded
            try {
                Connection c = net.dialer().dialConnection("tcp", "127.0.0.1:" + port, Duration.ofMillis(200));
                net.closeLater(c);
            } catch (DialTimeoutException e) {
                timedOut = e;
            }
        }
        fillers.forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // test cleanup
            }
        });
        assertThat(timedOut).as("a dial timed out once the backlog was full").isNotNull();
        assertThat(timedOut).isInstanceOf(java.net.SocketTimeoutException.class);
    }

    @Test
    void idleTimeoutClosesSilentConnectionsOnly() throws Exception {
        // 1 s against 20 ms of pacing: a generous margin on a loaded machine
        Server server = net.echoServer(Option.idleTimeout(Duration.ofSeconds(1)));
        long start = System.nanoTime(); // before the connection exists: its idle time starts after this
        Socket silent = net.socket(server.port());
        Socket chatty = net.socket(server.port());
        CompletableFuture<Integer> silentEof = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return silent.getInputStream().read();
                    } catch (IOException e) {
                        return -2;
                    }
                },
                net.exec());
        // keep the chatty one busy for well over the idle timeout
        while (!silentEof.isDone() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
            chatty.getOutputStream().write(1);
            assertThat(chatty.getInputStream().read()).isEqualTo(1);
            new java.util.concurrent.CountDownLatch(1).await(20, TimeUnit.MILLISECONDS); // pacing, not synchronisation
        }
        assertThat(silentEof.get(1, TimeUnit.SECONDS))
                .as("the silent connection was closed")
                .isEqualTo(-1);
        assertThat(System.nanoTime() - start)
                .as("not before the idle timeout")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
        chatty.getOutputStream().write(7);
        assertThat(chatty.getInputStream().read())
                .as("the chatty connection is still open")
                .isEqualTo(7);
    }
}
