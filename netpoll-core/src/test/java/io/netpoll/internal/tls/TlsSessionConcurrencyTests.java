package io.netpoll.internal.tls;

import io.netpoll.buffer.LinkBuffer;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.TlsConfig;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The threading contract under load: on each side the input pump and the flusher run on two
 * threads at once, as they will in a connection, while both sides keep starting TLS 1.3 key
 * updates. The replies are wrapped by the pump while the flusher may hold the outbound side, so
 * this exercises the request-and-serve hand-off; the data must arrive intact both ways.
 */
class TlsSessionConcurrencyTests {

    private static final int TOTAL = 8 << 20;
    private static final int CHUNK = 64 * 1024;
    private static final int KEY_UPDATE_EVERY = 1 << 20;

    @Test
    void pumpAndFlusherOnTwoThreadsWithKeyUpdatesBothWays() throws Exception {
        TlsConfig s = TlsConfig.server(TestTls.serverContext("localhost"))
                .protocols("TLSv1.3")
                .build();
        TlsConfig c =
                TlsConfig.client(TestTls.clientContext()).protocols("TLSv1.3").build();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (TlsPair pair = TlsPair.builder(s, c).open()) {
            pair.handshake();
            assertThat(pair.client.failure).isNull();
            assertThat(pair.server.failure).isNull();
            List<Future<?>> jobs = new ArrayList<>();
            for (TlsPeer p : new TlsPeer[] {pair.client, pair.server}) {
                jobs.add(threads.submit(() -> {
                    pump(p);
                    return null;
                }));
                jobs.add(threads.submit(() -> {
                    flusher(p);
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get(120, TimeUnit.SECONDS);
            }
            // Key update replies may still be in flight: settle single-threaded, then nothing is held.
            pair.driveUntil(() -> !pair.client.session.holdsStaging() && !pair.server.session.holdsStaging());
            assertThat(pair.client.failure).isNull();
            assertThat(pair.server.failure).isNull();
            assertThat(pair.blocks.outstanding()).isZero();
        } finally {
            threads.shutdownNow();
        }
    }

    /** Reads and checks everything the other side sends; serves pending replies. */
    private static void pump(TlsPeer p) throws Exception {
        try (Selector sel = Selector.open()) {
            p.socket.register(sel, SelectionKey.OP_READ);
            long received = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
            LinkBuffer in = p.input;
            while (received < TOTAL) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(p.name + " pump: only " + received + " bytes arrived");
                }
                int n = p.session.read(256 * 1024);
                if (n < 0) {
                    throw new AssertionError(p.name + " pump: input ended early");
                }
                p.session.flushPending();
                int avail = in.len() & ~7;
                while (avail > 0) {
                    int k = Math.min(avail, 4096);
                    ByteBuffer v = in.next(k);
                    for (int i = 0; i < k; i += 8) {
                        if (v.getLong(v.position() + i) != received + i) {
                            throw new AssertionError(p.name + ": wrong bytes at " + (received + i));
                        }
                    }
                    received += k;
                    avail -= k;
                }
                in.release();
                if (n == 0) {
                    sel.select(10);
                    sel.selectedKeys().clear();
                }
            }
        }
    }

    /** Writes TOTAL bytes in chunks, starting a key update every MiB; waits for a full socket. */
    private static void flusher(TlsPeer p) throws Exception {
        try (Selector sel = Selector.open()) {
            SelectionKey key = p.socket.register(sel, 0);
            long sent = 0;
            long nextUpdate = KEY_UPDATE_EVERY;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
            LinkBuffer out = p.output;
            while (sent < TOTAL) {
                ByteBuffer b = out.malloc(CHUNK);
                for (int i = 0; i < CHUNK; i += 8) {
                    b.putLong(b.position() + i, sent + i);
                }
                out.flush();
                sent += CHUNK;
                if (sent >= nextUpdate) {
                    p.engine.beginHandshake(); // TLS 1.3: a key update, answered by the other side
                    nextUpdate += KEY_UPDATE_EVERY;
                }
                while (p.session.flush(out) == TlsSession.BLOCKED) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError(p.name + " flusher: stuck at " + sent);
                    }
                    key.interestOps(SelectionKey.OP_WRITE);
                    sel.select(10);
                    sel.selectedKeys().clear();
                    key.interestOps(0);
                }
            }
        }
    }
}
