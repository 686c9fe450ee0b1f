package io.netpoll;

import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Per-test poller group, a server helper, and the no-outstanding-node check after every test
 * (every networking test must give all buffer memory back to the pool).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class NetTestSupport {
    protected PollerGroup group;
    /** For blocking test helpers: the common pool may have a single thread on small machines. */
    protected final ExecutorService exec = Executors.newCachedThreadPool();

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<EventLoop> loops = new ArrayList<>();

    @BeforeEach
    void createGroup() {
        group = PollerGroup.create(2);
    }

    @AfterEach
    void closeAllAndCheckLeaks() throws Exception {
        for (EventLoop l : loops) {
            l.shutdown(Duration.ofSeconds(2));
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        group.close();
        exec.shutdownNow();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> BufferPool.defaultPool().stats().outstandingNodes() == 0);
    }

    protected <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    /** Echo: takes every readable byte and writes it back, zero-copy. */
    static void echo(Object ctx, Connection c) throws IOException {
        Reader r = c.reader();
        int n = r.len();
        if (n > 0) {
            LinkBuffer b = r.slice(n);
            c.writer().append(b);
            c.writer().flush();
        }
    }

    /** A running server on 127.0.0.1 with an ephemeral port. */
    protected record Server(EventLoop loop, Listener listener, CompletableFuture<Void> serving) {
        int port() {
            return listener.port();
        }
    }

    protected Server startServer(OnRequest<?> onRequest, ServerOption... options) throws IOException {
        return startServer("tcp", "127.0.0.1:0", onRequest, options);
    }

    protected Server startServer(String network, String address, OnRequest<?> onRequest, ServerOption... options)
            throws IOException {
        Listener listener = Netpoll.createListener(network, address);
        EventLoop loop = Netpoll.newEventLoop(
                onRequest,
                ServerConfig.builder().apply(options).pollerGroup(group).build());
        loops.add(loop);
        closeables.add(listener);
        CompletableFuture<Void> serving = loop.serveAsync(listener);
        return new Server(loop, listener, serving);
    }

    protected Dialer dialer(DialerOption... options) {
        return Netpoll.newDialer(
                DialerConfig.builder().apply(options).pollerGroup(group).build());
    }

    protected Socket socket(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        s.setTcpNoDelay(true);
        closeables.add(s);
        return s;
    }

    static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("EOF after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        int x = seed * 31 + 7;
        for (int i = 0; i < n; i++) {
            x = x * 1103515245 + 12345;
            b[i] = (byte) (x >>> 16);
        }
        return b;
    }
}
