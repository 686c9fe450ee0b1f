package io.netpoll;

import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LeakDetection;
import io.netpoll.buffer.Reader;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.netpoll.testing.TestNet.pattern;
import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Adaptive mode, a handler of connection A that writes to another connection B (a proxy): the
 * water marks pause only a connection whose own handler writes, so a flush to B above B's
 * high-water mark must wait for B's peer (docs/reliability.md, "Slow readers"). The adversary:
 * A floods, B's peer never reads. Memory stays at B's mark plus one message, A is no longer read,
 * and the other connections of the same (single) poller are still served.
 */
class ForeignFlushBackpressureTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private static final int MAX_OUTPUT = 4 << 20; // high-water mark: min(256 KiB, 4 MiB / 4) = 256 KiB
    private static final int HIGH_WATER = 256 << 10;
    private static final int MAX_INPUT = 64 << 10;
    private static final int FLOOD = 16 << 20;

    @Test
    void aHandlerWritingToAConnectionWhosePeerDoesNotReadWaitsAndTheMemoryStaysAtItsMark() throws Exception {
        PollerGroup single = net.closeLater(PollerGroup.create(1));
        BufferPool pool = net.closeLater(BufferPool.create(64 << 20, LeakDetection.DISABLED, leak -> {}));
        Map<Connection, Character> roles = new ConcurrentHashMap<>();
        CompletableFuture<Connection> sink = new CompletableFuture<>();
        AtomicLong maxQueued = new AtomicLong();
        // The first byte names a connection's role: 'B' the sink, 'A' forwards to the sink, 'E' echoes.
        OnRequest<Object> handler = (ctx, c) -> {
            Reader r = c.reader();
            Character role = roles.get(c);
            if (role == null) {
                role = (char) r.peek(1).get(0);
                r.skip(1);
                roles.put(c, role);
                if (role == 'B') {
                    sink.complete(c);
                }
            }
            int n = r.len();
            if (n == 0) {
                return;
            }
            if (role == 'A') {
                Connection b = sink.join();
                b.writer().append(r, n);
                b.writer().flush();
                maxQueued.accumulateAndGet(pool.stats().usedBytes(), Math::max);
            } else if (role == 'E') {
                c.writer().append(r, n);
                c.writer().flush();
            } else {
                r.skip(n);
            }
        };
        Server server = net.startServer(
                handler,
                Option.pollerGroup(single),
                Option.handlerMode(HandlerMode.ADAPTIVE),
                Option.bufferPool(pool),
                Option.maxOutputBuffer(MAX_OUTPUT),
                Option.maxInputBuffer(MAX_INPUT),
                Option.sendBufferSize(8 << 10),
                Option.receiveBufferSize(16 << 10));
        EventLoop loop = server.loop();

        Socket sinkPeer = new Socket();
        sinkPeer.setReceiveBufferSize(4 << 10);
        sinkPeer.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        net.closeLater(sinkPeer);
        sinkPeer.getOutputStream().write('B'); // then never reads (until the end of the test)
        Connection b = sink.get(10, TimeUnit.SECONDS);

        Socket echoPeer = net.socket(server.port());
        echoPeer.getOutputStream().write('E');
        // Warm the append and flush paths: a cold first forward can span a monitor tick, and a
        // retaken handler finishes its loop as a plain worker (whose flushes always wait), which
        // would hide the on-role case this test is about.
        byte[] warm = pattern(4 << 10, 3);
        for (int i = 0; i < 200; i++) {
            echoPeer.getOutputStream().write(warm);
            assertThat(readFully(echoPeer.getInputStream(), warm.length)).isEqualTo(warm);
        }

        Socket flooder = new Socket();
        flooder.setSendBufferSize(16 << 10);
        flooder.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        net.closeLater(flooder);
        CompletableFuture<Void> flood = CompletableFuture.runAsync(
                () -> {
                    try {
                        OutputStream out = flooder.getOutputStream();
                        out.write('A');
                        byte[] chunk = pattern(64 << 10, 7);
                        for (int sent = 0; sent < FLOOD; sent += chunk.length) {
                            out.write(chunk);
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                },
                net.exec());

        // A's handler waits in B's flush: a thread parked on B (the blocker), not a queue growing.
        await().atMost(Duration.ofSeconds(20)).until(() -> waitingOn(b));
        long readFromA = loop.stats().bytesIn();
        // The other connections of the poller are served while A's handler waits.
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            echoPeer.getOutputStream().write(i);
            assertThat(echoPeer.getInputStream().read()).isEqualTo(i);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1_000);
        }
        assertThat(waitingOn(b)).as("still waiting for B's peer").isTrue();
        // A is no longer read beyond its input limit (and the kernel's small buffers): the flood cannot finish.
        assertThat(flood).isNotDone();
        assertThat(loop.stats().bytesIn() - readFromA)
                .as("bytes read from A while its handler waits")
                .isLessThanOrEqualTo(MAX_INPUT + (64 << 10));
        // Memory: B's mark plus one message (A's input), A's input refilled while it waits, and a
        // few partly used nodes for the three connections: well below B's output limit (4 MiB),
        // where its output would go without the backpressure.
        long bound = HIGH_WATER + 4L * MAX_INPUT + (256 << 10);
        assertThat(maxQueued.get()).as("buffer memory after each forward").isLessThanOrEqualTo(bound);
        assertThat(pool.stats().usedBytes())
                .as("buffer memory while A's handler waits")
                .isLessThanOrEqualTo(bound);
        assertThat(loop.stats().outputLimitCloses())
                .as("backpressure, not the output limit")
                .isZero();
        assertThat(b.isActive()).isTrue();

        // B's peer starts reading: everything A sent arrives, in order, and the flood completes.
        InputStream sinkIn = sinkPeer.getInputStream();
        sinkPeer.setSoTimeout(20_000);
        byte[] expected = pattern(64 << 10, 7);
        byte[] got = new byte[64 << 10];
        for (int received = 0; received < FLOOD; received += got.length) {
            int off = 0;
            while (off < got.length) {
                int k = sinkIn.read(got, off, got.length - off);
                assertThat(k).as("the sink's stream ended early").isPositive();
                off += k;
            }
            assertThat(got).isEqualTo(expected);
        }
        flood.get(20, TimeUnit.SECONDS);
        assertThat(maxQueued.get()).isLessThanOrEqualTo(bound);
    }

    /** True if some thread is parked with {@code c} as its blocker (a flush waiting for c's peer). */
    private static boolean waitingOn(Connection c) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (LockSupport.getBlocker(t) == c) {
                return true;
            }
        }
        return false;
    }
}
