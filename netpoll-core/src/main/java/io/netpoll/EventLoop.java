package io.netpoll;

import io.netpoll.internal.Acceptor;
import io.netpoll.internal.ConnOwner;
import io.netpoll.internal.ConnSettings;
import io.netpoll.internal.Counters;
import io.netpoll.internal.ErrorPolicy;
import io.netpoll.internal.NioConnection;
import io.netpoll.internal.Poller;
import io.netpoll.internal.SocketOptions;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server (netpoll's {@code EventLoop}): accepts connections from one or more {@link Listener}s,
 * spreads them over the pollers of its {@link PollerGroup}, and runs the {@link OnRequest}
 * handler for them.
 *
 * <p>Threading: thread-safe. {@link #serve} blocks its caller until the event loop shuts down
 * (as Go's {@code Serve}); {@link #serveAsync} returns at once with a future that completes when
 * serving that listener ends, so several listeners need no thread each; {@link #shutdown} may be
 * called from any thread. Ownership: the event loop closes the listeners it serves when it shuts
 * down; it does not own the poller group. Errors: {@link #serve} throws the listener's failure as
 * an {@link IOException}, and {@link IllegalStateException} (closing the listener) once shutdown
 * has begun; {@link #serveAsync} completes its future exceptionally with the same exceptions.
 */
public final class EventLoop {
    private static final System.Logger LOG = System.getLogger("io.netpoll.eventloop");

    private final OnRequest<?> onRequest;
    private final ServerConfig config;
    private final ConnSettings settings;
    private final PollerGroup group;
    private final Executor executor;
    private final Counters counters = new Counters();
    private final ErrorPolicy errors;
    private final Set<NioConnection> connections = ConcurrentHashMap.newKeySet();
    /** Connections admitted and not yet finished (the size of {@code connections}, kept exactly for the limit). */
    private final AtomicInteger admitted = new AtomicInteger();

    private final List<Acceptor> acceptors = new CopyOnWriteArrayList<>();
    private final Object shutdownLock = new Object();
    /** Orders {@link #serve}'s acceptor registration against {@link #shutdown}'s flag. */
    private final Object serveLock = new Object();

    private volatile boolean draining;
    private volatile boolean shutdown;

    private final ConnOwner owner = new ConnOwner() {
        @Override
        public Counters counters() {
            return counters;
        }

        @Override
        public ErrorPolicy errors() {
            return errors;
        }

        @Override
        public void onFinished(NioConnection c) {
            if (connections.remove(c)) {
                admitted.decrementAndGet();
            }
            if (shutdown) {
                synchronized (shutdownLock) {
                    shutdownLock.notifyAll();
                }
            }
        }

        @Override
        public boolean draining() {
            return draining;
        }
    };

    EventLoop(OnRequest<?> onRequest, ServerConfig config) {
        this.onRequest = Objects.requireNonNull(onRequest, "onRequest");
        this.config = Objects.requireNonNull(config, "config");
        this.settings = config.settings();
        this.errors = new ErrorPolicy(settings.onError, counters);
        this.group = settings.group != null ? (PollerGroup) settings.group : Netpoll.defaultGroup();
        this.executor = settings.executor != null ? settings.executor : group.workers();
    }

    /**
     * Accepts connections from {@code listener} until {@link #shutdown} (or until the listener is
     * closed), blocking the calling thread. Interrupting the caller stops this listener only.
     *
     * <p>After {@link #shutdown} has begun, including a shutdown that races with this call before
     * the listener is registered, it closes {@code listener} and throws
     * {@link IllegalStateException} at once (Go netpoll's {@code Serve} would block; this follows
     * {@code net/http}'s {@code ErrServerClosed} instead), so a serving thread never outlives its
     * event loop. A listener handed over belongs to the event loop: one that cannot be served
     * (the poller group is closed, a socket option is refused) is closed too.
     *
     * @throws IllegalStateException if this event loop is shut down, or its poller group closed
     * @throws IOException if the listener fails
     */
    public void serve(Listener listener) throws IOException {
        Acceptor acceptor = start(listener);
        try {
            acceptor.done().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException("listener failed", cause);
        } catch (InterruptedException e) {
            acceptor.stop();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while serving");
        } finally {
            acceptors.remove(acceptor);
        }
    }

    /**
     * Starts accepting connections from {@code listener} and returns at once (the non-blocking
     * {@link #serve}). The future completes normally when serving this listener ends: at
     * {@link #shutdown}, or when the listener is closed; exceptionally with the listener's
     * failure ({@link IOException}), or, after {@link #shutdown} has begun, with
     * {@link IllegalStateException} (the listener is then closed, as by {@code serve}).
     * Cancelling the future stops serving this listener and closes it.
     *
     * <p>Threading: the future completes on a poller thread, so dependent stages must not block
     * (use the {@code *Async} stages, or {@code join()} from another thread). The acceptor runs
     * on the pollers' daemon threads: a {@code main} that only calls {@code serveAsync} must wait
     * on the future (or on something else) to keep the JVM alive.
     */
    public CompletableFuture<Void> serveAsync(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        Acceptor acceptor;
        try {
            acceptor = start(listener);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> served = new CompletableFuture<>();
        acceptor.done().whenComplete((ignored, error) -> {
            acceptors.remove(acceptor);
            if (error == null) {
                served.complete(null);
            } else {
                served.completeExceptionally(
                        error instanceof IOException ? error : new IOException("listener failed", error));
            }
        });
        served.whenComplete((ignored, error) -> {
            if (served.isCancelled()) {
                acceptor.stop();
            }
        });
        return served;
    }

    /**
     * Registers an acceptor for {@code listener} and starts it; {@link #serve} then waits,
     * {@link #serveAsync} not. A listener handed over belongs to the event loop: if it cannot be
     * served (shut down, poller group closed, socket option refused), it is closed.
     */
    private Acceptor start(Listener listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        if (shutdown) {
            throw refuse(listener);
        }
        Poller poller;
        try {
            // On the listening socket, so that accepted sockets inherit it from the handshake on
            // (the TCP window scale is fixed there).
            SocketOptions.listener(listener.channel(), false, settings.receiveBufferSize, false);
            poller = group.next();
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        Acceptor acceptor = new Acceptor(listener.channel(), poller, this::accepted, true);
        // Registration and the shutdown flag change under one lock: either shutdown() sees this
        // acceptor and stops it, or this call sees the flag. Without it a shutdown() between the
        // check above and the add below left serve() blocked forever on an open listener.
        synchronized (serveLock) {
            if (shutdown) {
                throw refuse(listener);
            }
            acceptors.add(acceptor);
        }
        listener.attach(acceptor);
        acceptor.start();
        return acceptor;
    }

    /**
     * {@code serve} after (or racing with) {@code shutdown}: like Go's {@code http.ErrServerClosed},
     * an error at once rather than a call that blocks forever; the listener handed over is closed,
     * as the listeners this loop serves are at shutdown.
     */
    private static IllegalStateException refuse(Listener listener) {
        listener.close();
        return new IllegalStateException("the event loop is shut down; it cannot serve " + listener);
    }

    /** Acceptor's poller thread. */
    private void accepted(SocketChannel ch) {
        if (draining) {
            counters.rejected(); // before the close, so a client that saw EOF also sees the count
            closeQuietly(ch);
            return;
        }
        if (!admit()) {
            counters.rejected(); // before the close, so a client that saw EOF also sees the count
            closeQuietly(ch);
            LOG.log(System.Logger.Level.DEBUG, "maxConnections reached, rejecting an accepted connection");
            return;
        }
        NioConnection c;
        try {
            SocketOptions.connected(ch, settings, true);
            c = new NioConnection(ch, group.next(), owner, settings, executor, onRequest);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not set up an accepted connection", e);
            admitted.decrementAndGet();
            counters.rejected(); // before the close, so a client that saw EOF also sees the count
            closeQuietly(ch);
            return;
        }
        connections.add(c);
        counters.accepted();
        if (settings.onPrepare != null) {
            try {
                c.initContext(settings.onPrepare.prepare(c));
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "onPrepare failed, rejecting " + c.remoteAddress(), t);
                counters.rejected();
                c.close();
                return;
            }
        }
        c.register();
    }

    /** Takes a slot under {@code maxConnections}; false when all are taken. */
    private boolean admit() {
        int max = settings.maxConnections;
        for (; ; ) {
            int n = admitted.get();
            if (max > 0 && n >= max) {
                return false;
            }
            if (admitted.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Rejecting anyway.
        }
    }

    /**
     * Shuts down gracefully: stops accepting (closing the listeners), closes connections whose
     * handler is not running, lets running handlers finish until {@code timeout}, then closes
     * what is left and reports it. Later calls wait again and report what is still open.
     */
    public ShutdownResult shutdown(Duration timeout) {
        long deadline = System.nanoTime() + Math.max(0, ConnSettings.nanos(timeout));
        synchronized (serveLock) {
            shutdown = true;
            draining = true;
        }
        for (Acceptor a : acceptors) {
            a.stop();
            try {
                a.done().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(System.Logger.Level.DEBUG, "listener stop", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int idle = 0;
        int busy = 0;
        for (NioConnection c : connections) {
            if (c.closeIfIdle()) {
                idle++;
            } else {
                busy++;
            }
        }
        awaitEmpty(deadline);
        List<String> forced = new ArrayList<>();
        for (NioConnection c : connections) {
            if (c.isOpen()) {
                forced.add(String.valueOf(c.remoteAddress()));
                c.close();
            }
        }
        if (!forced.isEmpty()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "shutdown deadline passed; closed " + forced.size() + " connection(s) still busy in a handler: "
                            + forced);
        }
        return new ShutdownResult(idle, Math.max(0, busy - forced.size()), forced);
    }

    private void awaitEmpty(long deadline) {
        synchronized (shutdownLock) {
            for (; ; ) {
                boolean anyOpen = false;
                for (NioConnection c : connections) {
                    if (c.isOpen()) {
                        anyOpen = true;
                        break;
                    }
                }
                long remaining = deadline - System.nanoTime();
                if (!anyOpen || remaining <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(shutdownLock, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    public boolean isShutdown() {
        return shutdown;
    }

    /** Listeners being served now (each by a thread blocked in {@link #serve}); for health checks. */
    public int servingListeners() {
        int n = 0;
        for (Acceptor a : acceptors) {
            if (!a.done().isDone()) {
                n++;
            }
        }
        return n;
    }

    /** Connections accepted and not yet finished closing. */
    public int connectionCount() {
        return connections.size();
    }

    public PollerGroup pollerGroup() {
        return group;
    }

    /** The settings this event loop was created with. */
    public ServerConfig config() {
        return config;
    }

    /** Read-only counters of this event loop's connections. */
    public NetStats stats() {
        return counters;
    }

    /**
     * Snapshots of at most {@code limit} of this event loop's open connections, the oldest or the
     * busiest first (the operator view). Iterates the connection set once, keeping the first
     * {@code limit} in a bounded heap, and builds a {@link ConnectionInfo} only for those: the cost
     * is bounded by the number of connections, nothing is recorded per request, and it is safe while
     * connections open and close (one that opens meanwhile may be missing, one that closes may show
     * as {@code closing}).
     *
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    public List<ConnectionInfo> connections(int limit, ConnectionInfo.Order order) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, was " + limit);
        }
        Objects.requireNonNull(order, "order");
        if (limit == 0) {
            return List.of();
        }
        // The heap's head is the connection that goes first when a better one comes.
        java.util.Comparator<NioConnection> first = order == ConnectionInfo.Order.OLDEST
                ? (a, b) -> Long.compare(a.createdNanos() - b.createdNanos(), 0)
                : (a, b) -> Long.compare(b.totalBytes(), a.totalBytes());
        java.util.PriorityQueue<NioConnection> heap =
                new java.util.PriorityQueue<>(Math.min(limit, 1024) + 1, first.reversed());
        for (NioConnection c : connections) {
            heap.add(c);
            if (heap.size() > limit) {
                heap.poll();
            }
        }
        List<NioConnection> chosen = new ArrayList<>(heap);
        chosen.sort(first);
        List<ConnectionInfo> infos = new ArrayList<>(chosen.size());
        for (NioConnection c : chosen) {
            infos.add(c.info());
        }
        return infos;
    }

    /**
     * Closes the connection with this {@link ConnectionInfo#id() id} (a management action: the
     * handler, if one runs, sees its next read or write fail; close callbacks run as for any close).
     * Returns false if this event loop has no open connection with that id.
     */
    public boolean closeConnection(long id) {
        for (NioConnection c : connections) {
            if (c.id() == id) {
                if (!c.isOpen()) {
                    return false;
                }
                c.close();
                return true;
            }
        }
        return false;
    }
}
