package io.netpoll;

import io.netpoll.buffer.BufferBudgetExceededException;
import io.netpoll.buffer.BufferPool;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The worst neighbours for memory: 20 peers flood a server whose handler never reads. The
 * process-wide buffer budget stops them (their reads pause) while an echo client on the same
 * poller, sharing the same pool, keeps being served; when memory comes back (half of the floods
 * closed) the paused connections resume without losing a byte. And the worst handler: one that
 * writes more than the whole budget fails alone.
 */
class BufferBudgetTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private static final long BUDGET = 16L << 20;
    private static final int FLOODS = 20;
    private static final int FLOOD_BYTES = 4 << 20;

    @ParameterizedTest(name = "inline handlers: {0}")
    @ValueSource(booleans = {false, true})
    void floodingPeersThatAreNeverReadHitTheBudgetWhileAnEchoClientOnTheSamePollerIsServed(boolean inline)
            throws Exception {
        BufferPool pool = BufferPool.builder()
                .maxDirectBytes(BUDGET)
                .maxPooledBytes(4L << 20)
                .decay(Duration.ZERO)
                .build();
        PollerGroup onePoller = PollerGroup.create(1);
        Map<Connection, AtomicLong> floods = new ConcurrentHashMap<>();
        AtomicBoolean drain = new AtomicBoolean();
        // The flood server's handler reads nothing until told to: its input grows until something
        // stops it. Then it consumes whatever is there.
        OnRequest flood = (ctx, c) -> {
            AtomicLong consumed = floods.computeIfAbsent(c, k -> new AtomicLong());
            if (drain.get()) {
                int n = c.reader().len();
                c.reader().skip(n);
                consumed.addAndGet(n);
            }
        };
        Option mode = inline ? Option.inlineHandlers() : Option.bufferPool(pool);
        Server floodServer = net.startServer(
                flood,
                Option.pollerGroup(onePoller),
                Option.bufferPool(pool),
                Option.maxInputBuffer(8 << 20),
                mode,
                Option.receiveBufferSize(64 << 10)); // small kernel buffers: the flood waits on us, not on them
        Server echoServer = net.echoServer(Option.pollerGroup(onePoller), Option.bufferPool(pool), mode);
        net.closeLater(onePoller);
        net.closeLater(pool);

        Map<Integer, CompletableFuture<Void>> sending = new ConcurrentHashMap<>(); // by the client's port
        for (int i = 0; i < FLOODS; i++) {
            Socket s = net.socket(floodServer.port());
            s.setSendBufferSize(64 << 10);
            sending.put(
                    s.getLocalPort(),
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    OutputStream out = s.getOutputStream();
                                    byte[] chunk = new byte[64 << 10];
                                    for (int sent = 0; sent < FLOOD_BYTES; sent += chunk.length) {
                                        out.write(chunk);
                                    }
                                } catch (IOException e) {
                                    throw new RuntimeException(e);
                                }
                            },
                            net.exec()));
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> pool.stats().budgetRefusals() > 0 && floods.size() == FLOODS);

        // The echo client, on the same poller and pool, while the floods are held at the budget.
        Socket echo = net.socket(echoServer.port());
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
        assertThat(TimeUnit.NANOSECONDS.toMillis(p99))
                .as("echo p99 (ms) while the floods are held")
                .isLessThan(250);
        assertThat(TimeUnit.NANOSECONDS.toMillis(nanos[nanos.length - 1]))
                .as("echo max (ms)")
                .isLessThan(2_000);
        assertThat(maxReserved).as("direct memory held by the pool").isLessThanOrEqualTo(BUDGET);
        // Each flood is paused about once, not woken for every block the echo gives back.
        assertThat(pool.stats().budgetRefusals()).as("refused reads").isBetween(1L, 4L * FLOODS);
        long heldIn = floodServer.loop().stats().bytesIn();
        assertThat(heldIn).as("the floods were stopped short").isLessThan((long) FLOODS * FLOOD_BYTES);
        assertThat(floodServer.loop().stats().connectionsActive())
                .as("paused, not closed")
                .isEqualTo(FLOODS);
        assertThat(sending.values()).as("the floods' writes are blocked").anyMatch(f -> !f.isDone());

        // Memory comes back: half of the floods are closed (their input is freed), the other half
        // resume reading, now with a handler that consumes, and receive every byte.
        drain.set(true);
        List<Connection> all = new ArrayList<>(floods.keySet());
        assertThat(all).hasSize(FLOODS);
        List<Connection> kept = all.subList(FLOODS / 2, FLOODS);
        for (Connection c : all.subList(0, FLOODS / 2)) {
            c.close();
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> kept.stream().allMatch(c -> floods.get(c).get() == FLOOD_BYTES));
        for (Connection c : kept) {
            int clientPort = ((InetSocketAddress) c.remoteAddress()).getPort();
            sending.get(clientPort).get(10, TimeUnit.SECONDS);
        }
        assertThat(floodServer.loop().stats().bytesIn()).isGreaterThan(heldIn);
        assertThat(floodServer.loop().stats().connectionsActive()).isEqualTo(FLOODS / 2);
        assertThat(pool.stats().reservedBytes()).isLessThanOrEqualTo(BUDGET);
    }

    @Test
    void aHandlerWritingPastTheBudgetFailsAndOnlyItsConnectionCloses() throws Exception {
        BufferPool pool = BufferPool.builder()
                .maxDirectBytes(1 << 20)
                .maxPooledBytes(1 << 20)
                .decay(Duration.ZERO)
                .build();
        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        Server server = net.startServer(
                (ctx, c) -> {
                    byte kind = c.reader().readByte();
                    c.reader().release();
                    try {
                        // 'b' asks for 4 MiB at once: more than the whole budget.
                        c.writer().writeBinary(new byte[kind == 'b' ? 4 << 20 : 1], 0, kind == 'b' ? 4 << 20 : 1);
                    } catch (BufferBudgetExceededException e) {
                        failures.put("big", e);
                        throw e; // the connection closes, as after any handler error
                    }
                    c.writer().flush();
                },
                Option.bufferPool(pool));
        net.closeLater(pool);
        Socket big = net.socket(server.port());
        big.getOutputStream().write('b');
        assertThat(big.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        assertThat(failures.get("big"))
                .isInstanceOf(BufferBudgetExceededException.class)
                .hasMessageContaining("budget of 1048576 bytes exhausted");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().handlerErrors() == 1);
        assertThat(pool.stats().budgetRefusals()).isEqualTo(1);
        // Everyone else is served.
        for (int i = 0; i < 20; i++) {
            Socket small = net.socket(server.port());
            small.getOutputStream().write('s');
            assertThat(small.getInputStream().read()).isZero();
        }
        assertThat(pool.stats().reservedBytes()).isLessThanOrEqualTo(1 << 20);
    }
}
