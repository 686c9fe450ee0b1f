package io.netpoll.internal;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;

/**
 * Accepts connections for one listener on one poller and hands them to the event loop. Runs on
 * its poller thread only; {@link #stop()} may be called from any thread.
 *
 * <p>Accept failures while the listener is open (out of file descriptors: "Too many open files")
 * do not spin: the acceptor drops its accept interest and re-arms it after a back-off that doubles
 * from {@link #DEFAULT_MIN_BACKOFF_NANOS} to {@link #DEFAULT_MAX_BACKOFF_NANOS} while failures
 * continue, and resets after an accept succeeds. Pending connections wait in the kernel's backlog
 * meanwhile. One WARNING is logged per episode of failures, the rest at DEBUG.
 */
public final class Acceptor implements Poller.Handler {
    private static final System.Logger LOG = System.getLogger("io.netpoll.acceptor");
    /** Accepts per ready event, so a connection storm does not starve the poller's other channels. */
    private static final int ACCEPT_BUDGET = 64;

    /** First back-off after an accept failure: 5 ms. */
    public static final long DEFAULT_MIN_BACKOFF_NANOS = 5_000_000L;
    /** Longest back-off while accept keeps failing: 1 s. */
    public static final long DEFAULT_MAX_BACKOFF_NANOS = 1_000_000_000L;

    /** Receives accepted sockets (on the acceptor's poller thread). */
    public interface Sink {
        void accepted(SocketChannel channel);
    }

    /** How a socket is accepted: {@code server::accept}, or a failing one in tests. */
    @FunctionalInterface
    public interface AcceptCall {
        /** Null when no connection is pending. */
        SocketChannel accept() throws IOException;
    }

    private final ServerSocketChannel server;
    private final Poller poller;
    private final Sink sink;
    private final boolean closeChannelOnStop;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AcceptCall acceptCall;
    private final long minBackoffNanos;
    private final long maxBackoffNanos;
    private final Runnable resume = this::resumeOnPoller;
    private SelectionKey key;
    /** Poller thread only: the next back-off (0 = not failing), failures in this episode. */
    private long backoffNanos;

    private long episodeFailures;
    private volatile long acceptFailures;
    private volatile boolean backingOff;

    public Acceptor(ServerSocketChannel server, Poller poller, Sink sink, boolean closeChannelOnStop) {
        this(
                server,
                poller,
                sink,
                closeChannelOnStop,
                server::accept,
                DEFAULT_MIN_BACKOFF_NANOS,
                DEFAULT_MAX_BACKOFF_NANOS);
    }

    /** With an injectable accept call and back-off bounds (tests provoke accept failures with it). */
    public Acceptor(
            ServerSocketChannel server,
            Poller poller,
            Sink sink,
            boolean closeChannelOnStop,
            AcceptCall acceptCall,
            long minBackoffNanos,
            long maxBackoffNanos) {
        if (minBackoffNanos <= 0 || maxBackoffNanos < minBackoffNanos) {
            throw new IllegalArgumentException("back-off bounds: 0 < min <= max");
        }
        this.server = server;
        this.poller = poller;
        this.sink = sink;
        this.closeChannelOnStop = closeChannelOnStop;
        this.acceptCall = acceptCall;
        this.minBackoffNanos = minBackoffNanos;
        this.maxBackoffNanos = maxBackoffNanos;
    }

    /** Accept calls that failed while the listener was open, since creation; any thread. */
    public long acceptFailures() {
        return acceptFailures;
    }

    /** True while accept interest is dropped after a failure; any thread. */
    public boolean backingOff() {
        return backingOff;
    }

    /** Completes when the acceptor stopped: normally, or exceptionally if the listener failed. */
    public CompletableFuture<Void> done() {
        return done;
    }

    public void start() {
        if (!poller.execute(() -> {
            try {
                server.configureBlocking(false);
                key = poller.registerHandler(server, SelectionKey.OP_ACCEPT, this);
            } catch (IOException | RuntimeException e) {
                stopOnPoller(e);
            }
        })) {
            stopOnPoller(new IOException("the poller group is closed"));
        }
    }

    @Override
    public void onReady(SelectionKey k) {
        for (int i = 0; i < ACCEPT_BUDGET; i++) {
            SocketChannel ch;
            try {
                ch = acceptCall.accept();
            } catch (IOException | RuntimeException e) {
                if (!server.isOpen()) {
                    stopOnPoller(null);
                } else {
                    backOff(e);
                }
                return;
            }
            if (backoffNanos != 0) {
                // accept() works again (a connection, or none pending any more): end the episode.
                LOG.log(
                        System.Logger.Level.INFO,
                        "accept works again on " + server + " after " + episodeFailures + " failure(s)");
                backoffNanos = 0;
                episodeFailures = 0;
            }
            if (ch == null) {
                return;
            }
            sink.accepted(ch);
        }
    }

    /**
     * Out of file descriptors and the like: stop asking for accepts for a while (a level-triggered
     * selector would report the pending connection again at once, a busy loop), then retry.
     */
    private void backOff(Exception e) {
        acceptFailures++; // poller thread only writes
        episodeFailures++;
        if (backoffNanos == 0) {
            LOG.log(System.Logger.Level.WARNING, "accept failed on " + server + "; backing off", e);
            backoffNanos = minBackoffNanos;
        } else {
            LOG.log(System.Logger.Level.DEBUG, () -> "accept failed again on " + server + ": " + e);
            backoffNanos = Math.min(maxBackoffNanos, backoffNanos * 2);
        }
        if (key == null || !key.isValid()) {
            return;
        }
        key.interestOps(0);
        backingOff = true;
        poller.schedule(resume, backoffNanos);
    }

    private void resumeOnPoller() {
        backingOff = false;
        if (key != null && key.isValid()) {
            key.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    @Override
    public void rekey(SelectionKey k) {
        key = k;
    }

    @Override
    public void onPollerClose() {
        stopOnPoller(null);
    }

    /** Stops accepting; idempotent, any thread. */
    public void stop() {
        if (!poller.run(() -> stopOnPoller(null))) {
            stopOnPoller(null);
        }
    }

    private void stopOnPoller(Throwable error) {
        if (key != null) {
            key.cancel();
            key = null;
            poller.handlerDeregistered();
        }
        if (closeChannelOnStop) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "error closing a listener", e);
            }
        }
        if (error != null) {
            done.completeExceptionally(error);
        } else {
            done.complete(null);
        }
    }
}
