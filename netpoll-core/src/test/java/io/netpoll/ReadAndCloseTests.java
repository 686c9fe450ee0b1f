package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.netpoll.testing.TestNet.pattern;
import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ReadAndCloseTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    /** A length-prefixed frame server: blocks in next(n) until the whole frame is there. */
    private static void frameEcho(Object ctx, Connection c) throws IOException {
        int len = c.reader().next(4).getInt();
        ByteBuffer body = c.reader().next(len);
        c.writer().malloc(4).putInt(len);
        c.writer().writeBinary(body);
        c.writer().flush();
    }

    @Test
    void nextAcrossPartialFramesReturnsExactlyTheFrame() throws Exception {
        Server server = net.startServer(ReadAndCloseTests::frameEcho);
        Socket s = net.socket(server.port());
        byte[] body = pattern(300, 1);
        ByteBuffer frame =
                ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body);
        OutputStream out = s.getOutputStream();
        for (int round = 0; round < 2; round++) {
            for (byte b : frame.array()) {
                out.write(b); // one byte per segment (TCP_NODELAY)
                out.flush();
            }
            byte[] back = readFully(s.getInputStream(), frame.capacity());
            assertThat(back).isEqualTo(frame.array());
        }
        assertThat(server.loop().stats().requestsTotal()).isLessThanOrEqualTo(2L * frame.capacity());
    }

    @Test
    void readTimeoutIsDistinctAndKeepsTheConnectionOpen() throws Exception {
        BlockingQueue<Object> seen = new ArrayBlockingQueue<>(4);
        Server server = net.startServer(
                (ctx, c) -> {
                    try {
                        c.reader().next(8);
                        seen.add("frame");
                    } catch (ReadTimeoutException e) {
                        c.reader().skip(3); // the partial frame, before replying: the client sends more after the reply
                        seen.add(e);
                        c.writer().writeString("T");
                        c.writer().flush();
                    }
                },
                Option.readTimeout(Duration.ofMillis(100)));
        Socket s = net.socket(server.port());
        s.getOutputStream().write(new byte[3]);
        assertThat(seen.poll(5, TimeUnit.SECONDS))
                .isInstanceOf(ReadTimeoutException.class)
                .isNotInstanceOf(ConnectionClosedException.class);
        assertThat(s.getInputStream().read()).isEqualTo('T');
        s.getOutputStream().write(new byte[8]);
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("frame");

        // client side: a blocking read on a dialed connection times out and stays usable
        try (Connection c = net.dialer().dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(1))) {
            c.setReadTimeout(Duration.ofMillis(50));
            assertThatThrownBy(() -> c.reader().next(1)).isInstanceOf(ReadTimeoutException.class);
            assertThat(c.isActive()).isTrue();
        }
    }

    @Test
    void closingWhileHandlerBlockedInNextWakesItWithClosedException() throws Exception {
        AtomicReference<Connection> conn = new AtomicReference<>();
        CountDownLatch blocked = new CountDownLatch(1);
        BlockingQueue<Throwable> outcome = new ArrayBlockingQueue<>(1);
        BlockingQueue<String> order = new ArrayBlockingQueue<>(4);
        Server server = net.startServer((ctx, c) -> {
            conn.set(c);
            c.addCloseCallback(x -> order.add("callback"));
            blocked.countDown();
            try {
                c.reader().next(1000);
            } catch (Throwable t) {
                outcome.add(t);
                order.add("handler-returns");
                throw t;
            }
        });
        Socket s = net.socket(server.port());
        s.getOutputStream().write(new byte[10]);
        assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().requestsActive() == 1);
        conn.get().close();
        assertThat(outcome.poll(5, TimeUnit.SECONDS)).isInstanceOf(ConnectionClosedException.class);
        assertThat(order.poll(5, TimeUnit.SECONDS)).isEqualTo("handler-returns");
        assertThat(order.poll(5, TimeUnit.SECONDS)).isEqualTo("callback");
        assertThat(server.loop().stats().handlerErrors()).isZero();
    }

    @Test
    void clientReaderBlocksUntilDataThenCloseWakesIt() throws Exception {
        BlockingQueue<Connection> serverSide = new ArrayBlockingQueue<>(1);
        Server server = net.startServer((ctx, c) -> {}, Option.onPrepare(c -> {
            serverSide.add(c);
            return null;
        }));
        Connection c = net.dialer().dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(1));
        Connection peer = serverSide.poll(5, TimeUnit.SECONDS);
        CompletableFuture<String> read = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return c.reader().readString(5);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                },
                net.exec());
        peer.send(w -> w.writeString("hel"));
        peer.send(w -> w.writeString("lo"));
        assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
        CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        c.reader().next(1);
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                },
                net.exec());
        await().atMost(Duration.ofSeconds(5)).until(() -> isParkedIn(c));
        c.close();
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isInstanceOf(ConnectionClosedException.class);
    }

    private static boolean isParkedIn(Connection c) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (java.util.concurrent.locks.LockSupport.getBlocker(t) == c) {
                return true;
            }
        }
        return false;
    }

    @RepeatedTest(20)
    void closeIsIdempotentAndRaceFreeFromManyThreadsCallbacksOnceNewestFirst() throws Exception {
        BlockingQueue<Connection> serverSide = new ArrayBlockingQueue<>(1);
        AtomicInteger handlerRunning = new AtomicInteger();
        AtomicBoolean callbackSawHandlerRunning = new AtomicBoolean();
        Server server = net.startServer(
                (ctx, c) -> {
                    handlerRunning.incrementAndGet();
                    try {
                        c.reader().skip(c.reader().len());
                        c.writer().writeString("r");
                        c.writer().flush();
                    } finally {
                        handlerRunning.decrementAndGet();
                    }
                },
                Option.onPrepare(c -> {
                    serverSide.add(c);
                    return null;
                }));
        Socket s = net.socket(server.port());
        Connection c = serverSide.poll(5, TimeUnit.SECONDS);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            c.addCloseCallback(x -> {
                if (handlerRunning.get() != 0) {
                    callbackSawHandlerRunning.set(true);
                }
                ran.add(id);
            });
        }
        // traffic while closing from several threads at once
        s.getOutputStream().write(new byte[100]);
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        CompletableFuture<?>[] closers = new CompletableFuture<?>[threads];
        for (int i = 0; i < threads; i++) {
            closers[i] = CompletableFuture.runAsync(
                    () -> {
                        try {
                            start.await(5, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                        c.close();
                    },
                    net.exec());
        }
        CompletableFuture.allOf(closers).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 5);
        assertThat(ran).containsExactly(4, 3, 2, 1, 0);
        assertThat(callbackSawHandlerRunning).isFalse();
        assertThat(c.isOpen()).isFalse();
        c.close();
        assertThat(ran).hasSize(5);
        AtomicBoolean late = new AtomicBoolean();
        c.addCloseCallback(x -> late.set(true));
        assertThat(late).as("a callback added after close still runs").isTrue();
        assertThatThrownBy(() -> c.writer().flush()).isInstanceOf(ConnectionClosedException.class);
        assertThat(c.reader().len()).isZero();
    }

    @Test
    void writesFromSeveralThreadsWithSendDoNotInterleave() throws Exception {
        BlockingQueue<Connection> serverSide = new ArrayBlockingQueue<>(1);
        Server server = net.startServer((ctx, c) -> {}, Option.onPrepare(c -> {
            serverSide.add(c);
            return null;
        }));
        Socket s = net.socket(server.port());
        Connection c = serverSide.poll(5, TimeUnit.SECONDS);
        int threads = 4;
        int perThread = 500;
        int msgLen = 1000;
        CompletableFuture<?>[] writers = new CompletableFuture<?>[threads];
        for (int t = 0; t < threads; t++) {
            byte fill = (byte) ('a' + t);
            writers[t] = CompletableFuture.runAsync(
                    () -> {
                        byte[] msg = new byte[msgLen];
                        java.util.Arrays.fill(msg, fill);
                        for (int i = 0; i < perThread; i++) {
                            try {
                                c.send(w -> w.writeBinary(msg));
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        }
                    },
                    net.exec());
        }
        int[] counts = new int[threads];
        for (int i = 0; i < threads * perThread; i++) {
            byte[] msg = readFully(s.getInputStream(), msgLen);
            for (byte b : msg) {
                assertThat(b).isEqualTo(msg[0]);
            }
            counts[msg[0] - 'a']++;
        }
        CompletableFuture.allOf(writers).get(10, TimeUnit.SECONDS);
        assertThat(counts).containsOnly(perThread);
    }
}
