package io.netpoll.internal.tls;

import io.netpoll.buffer.BufferPool;
import io.netpoll.tls.TlsConfig;

import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A client and a server {@link TlsSession} over a loopback socket pair on 127.0.0.1, driven by
 * the test thread: each turn runs both sides' pump and flusher; when nothing moves, the thread
 * waits in {@code select} (bounded) for the sockets or a delegated task to finish. Closes
 * everything it made.
 */
final class TlsPair implements AutoCloseable {

    /** Bound on any drive: tests fail rather than hang. */
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    final TlsPeer client;
    final TlsPeer server;
    final ExecutorService tasks;
    /** The pair's own ciphertext blocks, so that tests can count what the sessions hold. */
    final CipherBlocks blocks;
    /** The threads the delegated tasks ran on. */
    final java.util.List<Thread> taskThreads;

    private final Selector selector;

    private TlsPair(
            TlsPeer client,
            TlsPeer server,
            ExecutorService tasks,
            java.util.List<Thread> taskThreads,
            Selector selector,
            CipherBlocks blocks) {
        this.blocks = blocks;
        this.taskThreads = taskThreads;
        this.client = client;
        this.server = server;
        this.tasks = tasks;
        this.selector = selector;
    }

    static Builder builder(TlsConfig server, TlsConfig client) {
        return new Builder(server, client);
    }

    static final class Builder {
        final TlsConfig serverConfig;
        final TlsConfig clientConfig;
        String peerHost = "localhost";
        boolean oneByteReads;
        boolean choppyWrites;
        BufferPool pool = BufferPool.defaultPool();
        boolean directStaging;

        Builder(TlsConfig server, TlsConfig client) {
            this.serverConfig = server;
            this.clientConfig = client;
        }

        Builder peerHost(String host) {
            this.peerHost = host;
            return this;
        }

        Builder oneByteReadsAndChoppyWrites() {
            this.oneByteReads = true;
            this.choppyWrites = true;
            return this;
        }

        /** Stage ciphertext in direct blocks, as for native engines (records coalesced from views). */
        Builder directStaging() {
            this.directStaging = true;
            return this;
        }

        Builder pool(BufferPool pool) {
            this.pool = pool;
            return this;
        }

        TlsPair open() throws IOException {
            return open(clientConfig.newEngine(peerHost, 443), serverConfig.newEngine(null, 0));
        }

        TlsPair open(SSLEngine clientEngine, SSLEngine serverEngine) throws IOException {
            Selector selector = Selector.open();
            java.util.List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
            ExecutorService tasks = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "tls-tasks");
                t.setDaemon(true);
                threads.add(t);
                return t;
            });
            SocketChannel[] pair = socketPair();
            for (SocketChannel s : pair) {
                s.configureBlocking(false);
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                s.register(selector, SelectionKey.OP_READ);
            }
            CipherBlocks blocks = new CipherBlocks(16, directStaging);
            TlsPeer c = new TlsPeer(
                    "client",
                    pair[0],
                    clientEngine,
                    clientConfig,
                    pool,
                    blocks,
                    tasks,
                    selector,
                    oneByteReads,
                    choppyWrites);
            TlsPeer s = new TlsPeer(
                    "server",
                    pair[1],
                    serverEngine,
                    serverConfig,
                    pool,
                    blocks,
                    tasks,
                    selector,
                    oneByteReads,
                    choppyWrites);
            return new TlsPair(c, s, tasks, threads, selector, blocks);
        }
    }

    static SocketChannel[] socketPair() throws IOException {
        try (ServerSocketChannel ss = ServerSocketChannel.open()) {
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel c = SocketChannel.open(ss.getLocalAddress());
            SocketChannel s = ss.accept();
            return new SocketChannel[] {c, s};
        }
    }

    /** Drives both sides until both handshakes are done or one failed. */
    void handshake() {
        driveUntil(() -> (client.done && server.done) || client.failure != null || server.failure != null);
    }

    /** Turns both sides until {@code condition} holds; fails after {@link #DEADLINE_NANOS}. */
    void driveUntil(BooleanSupplier condition) {
        drive(selector, condition, client, server);
    }

    /**
     * Turns {@code peers} (their sockets registered with {@code selector}) until {@code condition}
     * holds; when nothing moved, waits in {@code select} (10 ms at most). Fails after {@link #DEADLINE_NANOS}.
     */
    static void drive(Selector selector, BooleanSupplier condition, TlsPeer... peers) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                StringBuilder sb = new StringBuilder("TLS peers did not get there in time:");
                for (TlsPeer p : peers) {
                    sb.append(' ').append(p.name).append(' ').append(state(p));
                }
                throw new AssertionError(sb.toString());
            }
            boolean moved = false;
            for (TlsPeer p : peers) {
                moved |= p.turn();
            }
            if (!moved && !condition.getAsBoolean()) {
                try {
                    selector.select(10);
                    selector.selectedKeys().clear();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    private static String state(TlsPeer p) {
        return "[step=" + p.step + ", done=" + p.done + ", failure=" + p.failure + ", in=" + p.input.len() + ", out="
                + p.output.len() + "]";
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            try {
                server.close();
            } finally {
                selector.close();
                tasks.shutdownNow();
            }
        }
    }
}
