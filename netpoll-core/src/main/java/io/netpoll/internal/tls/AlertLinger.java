package io.netpoll.internal.tls;

import io.netpoll.internal.Poller;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A graceful close after a fatal TLS alert, so that the peer reads the alert instead of a reset.
 *
 * <p>Why: a connection refused during its handshake (no client certificate, an untrusted one, a
 * protocol nobody offers) usually has bytes of the peer's still unread in its receive buffer (the
 * rest of the peer's flight, or its first request: a TLS 1.3 client is done before the server's
 * verdict). Closing such a socket makes the kernel send RST instead of FIN, and an RST that
 * arrives before the peer read the alert throws the alert away: the peer sees "Connection reset"
 * or "Broken pipe" instead of {@code certificate_required}. So, once the alert is written: FIN
 * after it ({@code shutdownOutput}), then read and discard what the peer still sends until its
 * FIN, {@link #LINGER_NANOS} after the start or {@link #MAX_DISCARD} bytes, whichever comes first,
 * and only then close (as Netty, Jetty and OpenSSL servers let the alert arrive).
 *
 * <p>The connection itself is finished at once (its buffers go back, its close is counted, its
 * TLS session is freed): a linger owns only the socket and its selection key, whose attachment
 * it becomes (a {@link Poller.Handler}), plus one delayed task on the poller for the deadline.
 * Reads go to one shared discard buffer (the content is never looked at). At most
 * {@link #MAX_LINGERING} sockets linger in the JVM; past that a refused connection is closed at
 * once, as before. So a thousand hostile peers cost a thousand sockets for at most a second, and
 * no buffer memory.
 *
 * <p>Threading: {@link #start} and everything after it run on the poller thread (selection key
 * events, the delayed task, {@link #onPollerClose()}); {@link #lingering()} from any thread.
 */
public final class AlertLinger implements Poller.Handler, Runnable {
    /** How long a refused peer gets to read the alert and close, at most. */
    public static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Bytes read and discarded per linger, at most: a peer that floods is cut off (then with a reset). */
    public static final int MAX_DISCARD = 64 * 1024;
    /** Lingering sockets in the JVM, at most; past that the close is immediate (the old behaviour). */
    public static final int MAX_LINGERING = 4096;

    private static final System.Logger LOG = System.getLogger("io.netpoll.tls");
    private static final AtomicInteger LINGERING = new AtomicInteger();
    /**
     * What discarded bytes are read into. Shared by every poller thread on purpose: concurrent
     * reads overwrite each other's bytes, which nobody reads; each linger has its own view.
     */
    private static final ByteBuffer DISCARD = ByteBuffer.allocateDirect(16 * 1024);

    private final Poller poller;
    private final SocketChannel channel;
    private final ByteBuffer sink = DISCARD.duplicate();
    private SelectionKey key;
    private long discarded;
    private boolean done;

    private AlertLinger(Poller poller, SocketChannel channel, SelectionKey key) {
        this.poller = poller;
        this.channel = channel;
        this.key = key;
    }

    /**
     * Poller thread, after the alert was written in full: takes over {@code key} (registered with
     * {@code poller}, counted in its registrations) and its channel, sends FIN and lingers. True
     * when it did: the caller must then neither cancel the key nor close the channel (the linger
     * does both, and counts the key's deregistration). False (the poller is stopping, too many
     * linger, the socket failed): nothing was taken, the caller closes as usual.
     */
    public static boolean start(Poller poller, SocketChannel channel, SelectionKey key) {
        if (!poller.isRunning() || !key.isValid()) {
            return false;
        }
        if (LINGERING.incrementAndGet() > MAX_LINGERING) {
            LINGERING.decrementAndGet();
            return false;
        }
        try {
            channel.shutdownOutput(); // FIN after the alert
            key.interestOps(SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            LINGERING.decrementAndGet();
            return false; // reset already, or the key went: nothing to wait for
        }
        AlertLinger linger = new AlertLinger(poller, channel, key);
        key.attach(linger);
        poller.schedule(linger, LINGER_NANOS);
        return true;
    }

    /** Sockets lingering now, in the JVM (tests, diagnostics). */
    public static int lingering() {
        return LINGERING.get();
    }

    /** The peer sent something (or closed): discard it; its FIN ends the linger. */
    @Override
    public void onReady(SelectionKey k) {
        if (done) {
            return;
        }
        try {
            for (; ; ) {
                sink.clear();
                int n = channel.read(sink);
                if (n < 0) {
                    end(); // the peer closed: it has read the alert, or never will
                    return;
                }
                if (n == 0) {
                    return;
                }
                discarded += n;
                if (discarded >= MAX_DISCARD) {
                    end(); // a flood: not a peer reading an alert
                    return;
                }
            }
        } catch (IOException e) {
            end(); // reset by the peer
        }
    }

    /** The deadline. */
    @Override
    public void run() {
        end();
    }

    @Override
    public void onPollerClose() {
        end();
    }

    @Override
    public void rekey(SelectionKey k) {
        key = k;
    }

    private void end() {
        if (done) {
            return;
        }
        done = true;
        LINGERING.decrementAndGet();
        key.cancel();
        poller.handlerDeregistered();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "error closing a socket after a TLS alert", e);
        }
    }
}
