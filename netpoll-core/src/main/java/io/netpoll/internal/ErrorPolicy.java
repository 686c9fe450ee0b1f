package io.netpoll.internal;

import io.netpoll.Connection;
import io.netpoll.ErrorAction;
import io.netpoll.OnError;

import java.util.function.LongSupplier;

/**
 * What happens when a handler ({@code OnRequest}/{@code OnConnect}) throws: the application's
 * {@link OnError} hook if there is one, the counting ({@code peerErrors} or
 * {@code handlerErrors}), and the logging: an error the peer caused is one line without stack
 * trace, rate-limited per event loop or dialer ({@link #PEER_LINES_PER_WINDOW} per
 * {@link #WINDOW_NANOS}; the next line that gets through says how many were suppressed), so a
 * flood of failing peers cannot flood the log. One instance per event loop or dialer; called from
 * one place in {@link NioConnection} (its handler-failure path). Thread-safe; only error paths
 * come here, so its lock costs the hot path nothing.
 */
public final class ErrorPolicy {
    static final System.Logger LOG = System.getLogger("io.netpoll.connection");
    public static final int PEER_LINES_PER_WINDOW = 10;
    public static final long WINDOW_NANOS = 1_000_000_000L;

    private final OnError<Object> hook;
    private final Counters counters;
    private final System.Logger log;
    private final LongSupplier clock;
    private final int linesPerWindow;
    private final long windowNanos;
    // Guarded by this.
    private long windowStart;
    private int linesInWindow;
    private long suppressed;
    private boolean started;

    @SuppressWarnings("unchecked")
    public ErrorPolicy(OnError<?> hook, Counters counters) {
        this((OnError<Object>) hook, counters, LOG, System::nanoTime, PEER_LINES_PER_WINDOW, WINDOW_NANOS);
    }

    /** For tests: a logger, a clock and a rate of one's own. */
    @SuppressWarnings("unchecked")
    public ErrorPolicy(
            OnError<?> hook,
            Counters counters,
            System.Logger log,
            LongSupplier clock,
            int linesPerWindow,
            long windowNanos) {
        this.hook = (OnError<Object>) hook;
        this.counters = counters;
        this.log = log;
        this.clock = clock;
        this.linesPerWindow = linesPerWindow;
        this.windowNanos = windowNanos;
    }

    /**
     * A handler call on {@code connection} threw {@code error} (not a write timeout or a closed
     * connection, which the connection handles itself). Runs on the handler's thread.
     *
     * @return true if the connection must be closed
     */
    public boolean handlerFailed(Connection connection, Object context, Throwable error) {
        boolean peer = ErrorAction.isPeerError(error);
        if (peer) {
            counters.peerErrors.increment();
        } else {
            counters.handlerErrors.increment();
        }
        ErrorAction action = ErrorAction.close();
        if (hook != null) {
            try {
                ErrorAction a = hook.onError(context, connection, error);
                if (a != null) {
                    action = a;
                }
            } catch (Throwable t) {
                t.addSuppressed(error);
                log.log(
                        System.Logger.Level.WARNING,
                        "the onError hook failed, closing connection " + connection.remoteAddress(),
                        t);
                return true;
            }
        }
        if (action.defaultLogging()) {
            if (peer) {
                peerError(connection, error);
            } else {
                log.log(
                        System.Logger.Level.WARNING,
                        "handler failed, closing connection " + connection.remoteAddress(),
                        error);
            }
        } else if (action.level() != null) {
            log.log(
                    action.level(),
                    (action.closesConnection()
                                    ? "handler failed, closing connection "
                                    : "handler failed on connection ")
                            + connection.remoteAddress(),
                    error);
        }
        return action.closesConnection();
    }

    /** One line, no stack trace, at most {@code linesPerWindow} per window. */
    private void peerError(Connection connection, Throwable error) {
        long dropped;
        synchronized (this) {
            long now = clock.getAsLong();
            if (!started || now - windowStart >= windowNanos) {
                started = true;
                windowStart = now;
                linesInWindow = 0;
            }
            if (linesInWindow >= linesPerWindow) {
                suppressed++;
                return;
            }
            linesInWindow++;
            dropped = suppressed;
            suppressed = 0;
        }
        String line = "closing " + connection.remoteAddress() + " after a peer error: " + describe(error)
                + (dropped > 0 ? " (" + dropped + " similar lines suppressed)" : "");
        log.log(System.Logger.Level.INFO, line);
    }

    /** The exception and its causes, as one line. */
    static String describe(Throwable error) {
        StringBuilder b = new StringBuilder();
        Throwable t = error;
        for (int depth = 0; t != null && depth < 4; depth++, t = t.getCause()) {
            if (depth > 0) {
                b.append(" <- ");
            }
            b.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                b.append(": ").append(t.getMessage());
            }
        }
        return b.toString();
    }
}
