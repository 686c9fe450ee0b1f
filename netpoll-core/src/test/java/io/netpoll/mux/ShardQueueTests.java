package io.netpoll.mux;

import io.netpoll.Connection;
import io.netpoll.ConnectionClosedException;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.LinkBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Many threads adding whole messages to one connection: every message arrives whole, each
 * thread's in its order; closed connections and a peer that does not read free the queue.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardQueueTests {
    private PollerGroup group;
    private ServerSocket server;

    @BeforeEach
    void setUp() throws IOException {
        group = PollerGroup.create(2);
        server = new ServerSocket();
        server.setReceiveBufferSize(32 << 10); // small socket buffers: a peer that does not read blocks the flush soon
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
        group.close();
    }

    private Connection dial() throws IOException {
        return Netpoll.newDialer(
                        Option.pollerGroup(group),
                        Option.writeTimeout(Duration.ofSeconds(20)),
                        Option.sendBufferSize(32 << 10))
                .dialConnection("tcp", "127.0.0.1:" + server.getLocalPort());
    }

    @Test
    void messagesFromManyThreadsArriveWholeAndInEachThreadsOrder() throws Exception {
        int threads = 16;
        int perThread = 500;
        CompletableFuture<Map<Integer, List<Integer>>> received = async(() -> {
            Map<Integer, List<Integer>> byThread = new HashMap<>();
            try (Socket s = server.accept();
                    BufferedReader in =
                            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
                for (int i = 0; i < threads * perThread; i++) {
                    String line = in.readLine();
                    // "t:seq:" + padding: a torn message would not parse or would have the wrong length
                    String[] parts = line.split(":", -1);
                    assertThat(parts).hasSize(3);
                    assertThat(parts[2]).hasSize(Integer.parseInt(parts[1]) % 97);
                    byThread.computeIfAbsent(Integer.parseInt(parts[0]), k -> new ArrayList<>())
                            .add(Integer.parseInt(parts[1]));
                }
            }
            return byThread;
        });
        Connection c = dial();
        ShardQueue queue = new ShardQueue(c);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            senders.add(async(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        int seq = i;
                        if (i % 2 == 0) {
                            LinkBuffer m = new LinkBuffer();
                            m.writeString(id + ":" + seq + ":" + "x".repeat(seq % 97) + "\n");
                            queue.add(m);
                        } else {
                            queue.send(w -> w.writeString(id + ":" + seq + ":" + "x".repeat(seq % 97) + "\n"));
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        start.countDown();
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        Map<Integer, List<Integer>> byThread = received.get(30, TimeUnit.SECONDS);
        assertThat(byThread).hasSize(threads);
        for (List<Integer> seqs : byThread.values()) {
            assertThat(seqs).hasSize(perThread).isSorted();
        }
        assertThat(queue.queuedBytes()).isZero();
        c.close();
    }

    @Test
    void addingToAClosedConnectionFailsAndFreesTheMessage() throws Exception {
        CompletableFuture<Socket> accepted = async(() -> server.accept());
        Connection c = dial();
        accepted.get(10, TimeUnit.SECONDS).close();
        ShardQueue queue = new ShardQueue(c);
        c.close();
        await().until(() -> !c.isActive());
        LinkBuffer m = new LinkBuffer();
        m.writeString("late\n");
        assertThatThrownBy(() -> queue.add(m)).isInstanceOf(ConnectionClosedException.class);
        assertThat(queue.queuedBytes()).isZero();
        // the leak check (BufferLeakCheckExtension) verifies that m's memory went back
    }

    @Test
    void producersFasterThanAPeerThatNeverReadsWaitAtTheLimitUntilTheWriteTimeoutCloses() throws Exception {
        CompletableFuture<Socket> accepted = async(() -> server.accept());
        Connection c = dial();
        Socket peer = accepted.get(10, TimeUnit.SECONDS); // never reads
        c.setWriteTimeout(Duration.ofSeconds(1));
        int limit = 1 << 20;
        int message = 64 << 10;
        ShardQueue queue = new ShardQueue(c, limit);
        List<CompletableFuture<Long>> producers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            producers.add(async(() -> {
                long maxQueued = 0;
                try {
                    for (int i = 0; i < 100_000; i++) { // far more than the socket and the limit hold
                        queue.send(w -> w.writeBinary(new byte[message]));
                        maxQueued = Math.max(maxQueued, queue.queuedBytes());
                    }
                    throw new AssertionError("a peer that never reads took 6 GiB");
                } catch (IOException expected) {
                    return maxQueued; // the write timeout closed the connection
                }
            }));
        }
        for (CompletableFuture<Long> p : producers) {
            // Bounded: the limit plus one message per producer thread.
            assertThat(p.get(30, TimeUnit.SECONDS)).isLessThanOrEqualTo(limit + 4L * message);
        }
        assertThat(c.isActive()).isFalse();
        await().until(() -> queue.queuedBytes() == 0);
        peer.close();
    }
}
