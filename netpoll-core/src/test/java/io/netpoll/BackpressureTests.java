package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.netpoll.testing.TestNet.pattern;
import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BackpressureTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private static final int LIMIT = 1 << 20;

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void unconsumedInputIsBoundedAndReadingResumesWhenTheHandlerConsumes(HandlerMode mode) throws Exception {
        AtomicBoolean consume = new AtomicBoolean();
        // Consumes 1 KiB per call only when allowed; the limit pauses reading meanwhile.
        java.util.concurrent.atomic.AtomicLong consumed = new java.util.concurrent.atomic.AtomicLong();
        Server server = net.startServer(
                (ctx, c) -> {
                    int n = consume.get() ? Math.min(64 * 1024, c.reader().len()) : 1; // slow: some progress only
                    c.reader().skip(n);
                    consumed.addAndGet(n);
                },
                Option.maxInputBuffer(LIMIT),
                Option.handlerMode(mode));
        Socket s = net.socket(server.port());
        int total = 16 << 20;
        CompletableFuture<Void> writing = CompletableFuture.runAsync(
                () -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        byte[] chunk = new byte[64 * 1024];
                        for (int sent = 0; sent < total; sent += chunk.length) {
                            out.write(chunk);
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                },
                net.exec());
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().bytesIn() >= LIMIT);
        // While the handler barely consumes, the unread input stays near the limit: at most one
        // poller turn over it (the 256 KiB read budget, whose last read may overshoot by 64 KiB).
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(3))
                .until(() -> server.loop().stats().bytesIn() - consumed.get() <= LIMIT + (256 << 10) + (64 << 10));
        // (Whether the writer is still blocked depends on the kernel's socket buffer autotuning and on
        // how fast one-byte calls go, so it is not asserted: the bound on unread input above is the point.)
        consume.set(true);
        writing.get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.loop().stats().bytesIn() == total);
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void handlerThatConsumesNothingAtTheLimitHasItsConnectionClosed(HandlerMode mode) throws Exception {
        Server server = net.startServer((ctx, c) -> {}, Option.maxInputBuffer(LIMIT), Option.handlerMode(mode));
        Socket s = net.socket(server.port());
        CompletableFuture<Void> writing = CompletableFuture.runAsync(
                () -> {
                    try {
                        s.getOutputStream().write(new byte[8 << 20]);
                    } catch (IOException expected) {
                        // the server closed the connection
                    }
                },
                net.exec());
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        writing.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
    }

    @ParameterizedTest
    @EnumSource(
            value = HandlerMode.class,
            names = {"ADAPTIVE", "WORKER"})
    void blockingReadLargerThanTheLimitStillCompletes(HandlerMode mode) throws Exception {
        Server server = net.startServer(
                (ctx, c) -> {
                    int n = 3 * LIMIT;
                    byte[] all = c.reader().readBinary(n);
                    c.writer().writeBinary(all, 0, 4);
                    c.writer().flush();
                },
                Option.maxInputBuffer(LIMIT),
                Option.handlerMode(mode));
        Socket s = net.socket(server.port());
        CompletableFuture<Void> writing = CompletableFuture.runAsync(
                () -> {
                    try {
                        s.getOutputStream().write(pattern(3 * LIMIT, 9));
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                },
                net.exec());
        assertThat(readFully(s.getInputStream(), 4)).isEqualTo(java.util.Arrays.copyOf(pattern(3 * LIMIT, 9), 4));
        writing.get(10, TimeUnit.SECONDS);
    }

    @Test
    void handlerWritingToAPeerThatNeverReadsIsBoundedAndClosedAfterTheWriteTimeout() throws Exception {
        // Output backpressure: a flush from a handler (worker mode) sends from the calling thread
        // and waits while the socket is full, up to the write timeout; the flush that times out
        // closes the connection (the handler lets the WriteTimeoutException escape). Memory stays
        // at about one chunk however much the handler tries to send.
        io.netpoll.buffer.BufferPool pool = io.netpoll.buffer.BufferPool.create(4 << 20);
        int chunk = 256 << 10;
        java.util.concurrent.atomic.AtomicLong maxUsed = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.BlockingQueue<Throwable> failure = new java.util.concurrent.ArrayBlockingQueue<>(1);
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        Server server = net.startServer(
                (ctx, c) -> {
                    c.addCloseCallback(x -> closed.countDown());
                    c.reader().skip(c.reader().len());
                    byte[] data = new byte[chunk];
                    try {
                        for (int i = 0; i < 4096; i++) { // bounded: 1 GiB, far beyond any socket buffer
                            c.writer().writeBinary(data, 0, data.length);
                            maxUsed.accumulateAndGet(pool.stats().usedBytes(), Math::max);
                            c.writer().flush();
                        }
                    } catch (IOException e) {
                        failure.add(e);
                        throw e;
                    }
                },
                Option.bufferPool(pool),
                Option.writeTimeout(Duration.ofMillis(300)),
                Option.handlerMode(HandlerMode.WORKER));
        Socket s = net.socket(server.port());
        s.setReceiveBufferSize(64 << 10);
        long start = System.nanoTime();
        s.getOutputStream().write(1); // start the handler; never read
        assertThat(failure.poll(20, TimeUnit.SECONDS)).isInstanceOf(WriteTimeoutException.class);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
        // Closed by the flush and counted as a write timeout, not as a handler error.
        assertThat(server.loop().stats().writeTimeoutCloses()).isEqualTo(1);
        assertThat(server.loop().stats().handlerErrors()).isZero();
        // One chunk queued (plus the input node and slack of the size classes), never the gigabyte.
        assertThat(maxUsed.get()).isLessThanOrEqualTo(4L * chunk);
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().outstandingNodes() == 0);
    }

    @Test
    void inlineHandlerAnsweringAPeerThatNeverReadsIsClosedAtTheOutputLimit() throws Exception {
        // Inline handlers' flush cannot wait; the output limit bounds what queues up instead.
        io.netpoll.buffer.BufferPool pool = io.netpoll.buffer.BufferPool.create(4 << 20);
        int limit = 1 << 20;
        int chunk = 128 << 10;
        java.util.concurrent.atomic.AtomicLong maxUsed = new java.util.concurrent.atomic.AtomicLong();
        byte[] reply = new byte[chunk];
        Server server = net.startServer(
                (ctx, c) -> {
                    c.reader().skip(c.reader().len());
                    c.writer().writeBinary(reply, 0, reply.length);
                    maxUsed.accumulateAndGet(pool.stats().usedBytes(), Math::max);
                    c.writer().flush();
                },
                Option.inlineHandlers(),
                Option.bufferPool(pool),
                Option.maxOutputBuffer(limit));
        Socket s = net.socket(server.port());
        s.setReceiveBufferSize(64 << 10);
        OutputStream out = s.getOutputStream();
        // Requests without reading the replies, one at a time, until the server gives up on us
        // (bounded: socket buffers hold a few MiB at most, each request queues 128 KiB).
        for (int i = 0; i < 2000 && server.loop().stats().outputLimitCloses() == 0; i++) {
            try {
                out.write(1);
            } catch (IOException reset) {
                break;
            }
            long sent = i + 1;
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.loop().stats().requestsTotal() >= sent
                            || server.loop().stats().outputLimitCloses() > 0);
        }
        assertThat(server.loop().stats().outputLimitCloses()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().handlerErrors()).isZero();
        // The limit, one reply beyond it, and the input node: never the 250 MiB the loop could ask for.
        assertThat(maxUsed.get()).isLessThanOrEqualTo(limit + 2L * chunk + (64 << 10));
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().outstandingNodes() == 0);
    }

    @Test
    void nonPositiveOutputLimitIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Option.maxOutputBuffer(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
