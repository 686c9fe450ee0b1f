package io.netpoll.examples;

import io.netpoll.Connection;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.ReadTimeoutException;
import io.netpoll.buffer.BufferPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class ExamplesTests {
    private PollerGroup group;

    @BeforeEach
    void setUp() {
        group = PollerGroup.create(1);
    }

    @AfterEach
    void tearDown() {
        group.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> BufferPool.defaultPool().stats().outstandingNodes() == 0);
    }

    private CompletableFuture<Void> serveInBackground(EventLoop loop, Listener listener) {
        return loop.serveAsync(listener);
    }

    @Test
    void seedServerAndClient() throws Exception {
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        EventLoop server = EchoServer.newEventLoop(Option.pollerGroup(group));
        CompletableFuture<Void> t = serveInBackground(server, listener);
        assertThat(HelloClient.run("127.0.0.1:" + listener.port(), group)).isEqualTo("hello world");
        assertThat(server.shutdown(Duration.ofSeconds(1)).graceful()).isTrue();
        t.get(5, TimeUnit.SECONDS);
    }

    @Test
    void seedServerMainRunsUntilShutdown() throws Exception {
        // main() with an explicit address, on the default group: it blocks in serve until the group closes.
        java.net.ServerSocket probe = new java.net.ServerSocket(0);
        int port = probe.getLocalPort();
        probe.close();
        Thread t = new Thread(() -> {
            try {
                EchoServer.main(new String[] {"127.0.0.1:" + port});
            } catch (IOException ignored) {
                // stopped
            }
        });
        t.start();
        await().atMost(Duration.ofSeconds(5))
                .ignoreExceptions()
                .until(() -> HelloClient.run("127.0.0.1:" + port, group).equals("hello world"));
        Netpoll.closeDefaultGroup();
        t.join(5_000);
        assertThat(t.isAlive()).isFalse();
    }

    @Test
    void zeroCopyReadWriteSliceAppendPrepareCallbacksTimeouts() throws Exception {
        BlockingQueue<String> frames = new ArrayBlockingQueue<>(4);
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        EventLoop server = Netpoll.newEventLoop(
                (ctx, c) -> {
                    String text = GuideExamples.zeroCopyRead(c);
                    frames.add(text);
                    GuideExamples.zeroCopyWrite(c, text.toUpperCase());
                },
                Option.pollerGroup(group));
        CompletableFuture<Void> t = serveInBackground(server, listener);
        Connection conn = Netpoll.newDialer(Option.pollerGroup(group))
                .dialConnection("tcp", "127.0.0.1:" + listener.port(), Duration.ofSeconds(1));
        GuideExamples.timeouts(conn);
        GuideExamples.zeroCopyWrite(conn, "hello netpoll");
        assertThat(frames.poll(5, TimeUnit.SECONDS)).isEqualTo("hello netpoll");
        assertThat(GuideExamples.zeroCopyRead(conn)).isEqualTo("HELLO NETPOLL");
        conn.setReadTimeout(Duration.ofMillis(20));
        assertThatThrownBy(() -> conn.reader().next(1)).isInstanceOf(ReadTimeoutException.class);

        CountDownLatch closed = new CountDownLatch(1);
        BlockingQueue<String> received = new ArrayBlockingQueue<>(4);
        GuideExamples.callbacks(
                conn,
                (ctx, c) -> {
                    if (c.reader().len() >= 4) {
                        received.add(c.reader().readString(4));
                    }
                },
                closed::countDown);
        GuideExamples.zeroCopyWrite(conn, "ab");
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo(new String(new byte[] {0, 0, 0, 2}));
        assertThat(received.poll(5, TimeUnit.SECONDS)).isNull();
        conn.close();
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
        server.shutdown(Duration.ofSeconds(1));
        t.get(5, TimeUnit.SECONDS);
    }

    @Test
    void sliceAndAppendReassembles() throws Exception {
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        EventLoop server =
                Netpoll.newEventLoop((ctx, c) -> GuideExamples.sliceAndAppend(c, 10, 4), Option.pollerGroup(group));
        CompletableFuture<Void> t = serveInBackground(server, listener);
        try (Connection conn = Netpoll.newDialer(Option.pollerGroup(group))
                .dialConnection("tcp", "127.0.0.1:" + listener.port(), Duration.ofSeconds(1))) {
            conn.writer().writeString("0123456789");
            conn.writer().flush();
            assertThat(conn.reader().readString(10)).isEqualTo("4567890123");
        }
        server.shutdown(Duration.ofSeconds(1));
        t.get(5, TimeUnit.SECONDS);
    }

    @Test
    void appendReaderEchoes() throws Exception {
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        EventLoop server = Netpoll.newEventLoop((ctx, c) -> GuideExamples.appendReader(c), Option.pollerGroup(group));
        CompletableFuture<Void> t = serveInBackground(server, listener);
        try (Connection conn = Netpoll.newDialer(Option.pollerGroup(group))
                .dialConnection("tcp", "127.0.0.1:" + listener.port(), Duration.ofSeconds(1))) {
            conn.writer().writeString("hello world");
            conn.writer().flush();
            assertThat(conn.reader().readString(11)).isEqualTo("hello world");
        }
        server.shutdown(Duration.ofSeconds(1));
        t.get(5, TimeUnit.SECONDS);
    }

    @Test
    void prepareContextAndPollerSettings() throws Exception {
        PollerGroup own = GuideExamples.pollers();
        try {
            assertThat(own.numLoops()).isEqualTo(2);
            Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
            EventLoop server = GuideExamples.prepare(own);
            CompletableFuture<Void> t = serveInBackground(server, listener);
            try (Connection conn = Netpoll.newDialer(Option.pollerGroup(group))
                    .dialConnection("tcp", "127.0.0.1:" + listener.port(), Duration.ofSeconds(1))) {
                conn.send(w -> w.writeString("a"));
                assertThat(conn.reader().readString(9)).isEqualTo("session-a");
                conn.send(w -> w.writeString("b"));
                assertThat(conn.reader().readString(10)).isEqualTo("session-ab");
            }
            server.shutdown(Duration.ofSeconds(1));
            t.get(5, TimeUnit.SECONDS);
            EventLoop inline = GuideExamples.workerPool(
                    own, (ctx, c) -> c.reader().skip(c.reader().len()));
            assertThat(inline).isNotNull();
        } finally {
            own.close();
            Netpoll.closeDefaultGroup();
        }
        assertThat(ByteBuffer.allocate(0)).isNotNull();
    }

    @Test
    void serveAsyncConfigsClosedConnectionsAndTheErrorHook() throws Exception {
        GuideExamples.serveAsync(group, listener -> {
            try {
                assertThat(HelloClient.run("127.0.0.1:" + listener.port(), group))
                        .isEqualTo("hello world");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        EventLoop[] loops = GuideExamples.configs(
                group, (ctx, c) -> c.reader().skip(c.reader().len()));
        assertThat(loops[0].config().maxConnections()).isEqualTo(10_000);
        assertThat(loops[1].config().readTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(loops[2].config().handlerMode()).isEqualTo(io.netpoll.HandlerMode.INLINE);
        assertThat(loops[2].config().maxConnections()).isEqualTo(10_000);

        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        EventLoop server = GuideExamples.errorHook(group, (session, c) -> {
            String line = c.reader().readString(c.reader().len()).strip();
            session.append(line);
            if (line.startsWith("bad")) {
                throw new IllegalArgumentException("unknown command '" + line + "'");
            }
            GuideExamples.reply(c, "+OK " + session + "\r\n");
        });
        CompletableFuture<Void> t = serveInBackground(server, listener);
        try (Connection conn = Netpoll.newDialer(Option.pollerGroup(group))
                .dialConnection("tcp", "127.0.0.1:" + listener.port(), Duration.ofSeconds(1))) {
            conn.send(w -> w.writeString("bad\n"));
            assertThat(conn.reader().readString(28)).isEqualTo("-ERR unknown command 'bad'\r\n");
            conn.send(w -> w.writeString("ok\n"));
            assertThat(conn.reader().readString(11))
                    .as("still open, same session")
                    .isEqualTo("+OK badok\r\n");
            conn.close();
            GuideExamples.reply(conn, "gone"); // swallowed: ConnectionClosedException
        }
        assertThat(server.stats().handlerErrors()).isEqualTo(1);
        server.shutdown(Duration.ofSeconds(1));
        t.get(5, TimeUnit.SECONDS);
    }
}
