package io.netpoll.internal;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;

/**
 * Accepts connections for one listener on one poller and hands them to the event loop. Runs on
 * its poller thread only; {@link #stop()} may be called from any thread.
 */
public final class Acceptor implements Poller.Handler {
    private static final System.Logger LOG = System.getLogger("io.netpoll.acceptor");
    /** Accepts per ready event, so a connection storm does not starve the poller's other channels. */
    private static final int ACCEPT_BUDGET = 64;

    /** Receives accepted sockets (on the acceptor's poller thread). */
    public interface Sink {
        void accepted(SocketChannel channel);
    }

    private final ServerSocketChannel server;
    private final Poller poller;
    private final Sink sink;
    private final boolean closeChannelOnStop;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private SelectionKey key;

    public Acceptor(ServerSocketChannel server, Poller poller, Sink sink, boolean closeChannelOnStop) {
        this.server = server;
        this.poller = poller;
        this.sink = sink;
        this.closeChannelOnStop = closeChannelOnStop;
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
                ch = server.accept();
            } catch (IOException e) {
                if (!server.isOpen()) {
                    stopOnPoller(null);
                } else {
                    // Out of file descriptors and the like: keep serving, the client will retry.
                    LOG.log(System.Logger.Level.WARNING, "accept failed on " + server, e);
                }
                return;
            }
            if (ch == null) {
                return;
            }
            sink.accepted(ch);
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
