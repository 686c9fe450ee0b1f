package io.netpoll;

import io.netpoll.buffer.BufferPool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The worst neighbours for memory: 20 peers flood a server whose handler never reads. The
 * process-wide buffer budget stops them (their reads pause) while an echo client on the same
 * poller, sharing the same pool, keeps being served; when the floods' input is consumed, memory
 * comes back and the paused connections resume without losing a byte.
 */
class BufferBudgetTest extends NetTestSupport {
    private static final long BUDGET = 16L << 20;
    private static final int FLOODS = 20;
    private static final int FLOOD_BYTES = 4 << 20;

    @Test
    void floodingPeersThatAreNeverReadHitTheBudgetWhileAnEchoClientOnTheSamePollerIsServed() throws Exception {
        BufferPool pool = BufferPool.builder().maxDirectBytes(BUDGET).maxPooledBytes(4L << 20)
                .decay(Duration.ZERO).build();
        PollerGroup onePoller = PollerGroup.create(1);
        Map<Connection, AtomicLong> floods = new ConcurrentHashMap<>();
        // The flood server's handler never reads: its input grows until something stops it.
        Server floodServer = serve(onePoller, (ctx, c) -> floods.computeIfAbsent(c, k -> new AtomicLong()),
                Option.bufferPool(pool), Option.maxInputBuffer(8 << 20),
                Option.receiveBufferSize(64 << 10)); // small kernel buffers: the flood waits on us, not on them
        Server echoServer = serve(onePoller, NetTestSupport::echo, Option.bufferPool(pool));
        closeLater(onePoller);
        closeLater(pool);

        List<CompletableFuture<Void>> sending = new ArrayList<>();
        for (int i = 0; i < FLOODS; i++) {
            Socket s = socket(floodServer.port());
            s.setSendBufferSize(64 << 10);
            sending.add(CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    byte[] chunk = new byte[64 << 10];
                    for (int sent = 0; sent < FLOOD_BYTES; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, exec));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> pool.stats().budgetRefusals() > 0);

        // The echo client, on the same poller and pool, while the floods are held at the budget.
        Socket echo = socket(echoServer.port());
        OutputStream out = echo.getOutputStream();
        InputStream in = echo.getInputStream();
        byte[] request = new byte[1024];
        long[] nanos = new long[500];
        long maxReserved = 0;
        for (int i = 0; i < nanos.length; i++) {
            Arrays.fill(request, (byte) i);
            long t0 = System.nanoTime();
            out.write(request);
            assertThat(readFully(in, request.length)).isEqualTo(request);
            nanos[i] = System.nanoTime() - t0;
            maxReserved = Math.max(maxReserved, pool.stats().reservedBytes());
        }
        Arrays.sort(nanos);
        long p99 = nanos[nanos.length * 99 / 100];
        assertThat(TimeUnit.NANOSECONDS.toMillis(p99)).as("echo p99 (ms) while the floods are held").isLessThan(250);
        assertThat(TimeUnit.NANOSECONDS.toMillis(nanos[nanos.length - 1])).as("echo max (ms)").isLessThan(2_000);
        assertThat(maxReserved).as("direct memory held by the pool").isLessThanOrEqualTo(BUDGET);
        // Each flood is paused about once, not woken for every block the echo gives back.
        assertThat(pool.stats().budgetRefusals()).as("refused reads").isBetween(1L, 4L * FLOODS);
        assertThat(floodServer.loop().stats().bytesIn()).as("the floods were stopped short")
                .isLessThan((long) FLOODS * FLOOD_BYTES);
        assertThat(floodServer.loop().stats().connectionsActive()).as("paused, not closed").isEqualTo(FLOODS);
        assertThat(sending).as("the floods' writes are blocked").anyMatch(f -> !f.isDone());

        // Memory comes back: the floods' input is consumed (here by the test, as a handler that
        // catches up would), the paused connections resume, and every byte arrives.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (Map.Entry<Connection, AtomicLong> e : floods.entrySet()) {
                int n = e.getKey().reader().len();
                if (n > 0) {
                    e.getKey().reader().skip(n);
                    e.getKey().reader().release();
                    e.getValue().addAndGet(n);
                }
            }
            return floods.size() == FLOODS && floods.values().stream().allMatch(v -> v.get() == FLOOD_BYTES);
        });
        CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(floodServer.loop().stats().bytesIn()).isEqualTo((long) FLOODS * FLOOD_BYTES);
        assertThat(floodServer.loop().stats().connectionsActive()).isEqualTo(FLOODS);
        assertThat(pool.stats().reservedBytes()).isLessThanOrEqualTo(BUDGET);
    }

    /** A server on {@code group} (startServer would put it on the test's two-poller group). */
    private Server serve(PollerGroup group, OnRequest handler, Option... options) throws IOException {
        Listener listener = closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        Option[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = Option.pollerGroup(group);
        EventLoop loop = Netpoll.newEventLoop(handler, all);
        closeLater(() -> loop.shutdown(Duration.ofSeconds(2)));
        CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
            try {
                loop.serve(listener);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, exec);
        return new Server(loop, listener, serving);
    }
}
