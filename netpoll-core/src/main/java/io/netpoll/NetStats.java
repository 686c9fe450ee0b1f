package io.netpoll;

/**
 * Read-only counters of an {@link EventLoop} (server connections) or a {@link Dialer} (client
 * connections). Backed by {@link java.util.concurrent.atomic.LongAdder}s: updating is cheap,
 * reading sums cells, so values read under load are approximate. Thread-safe.
 */
public interface NetStats {
    /** Connections open now. */
    long connectionsActive();

    /** Connections accepted (server) or dialed (client) since creation. */
    long connectionsAccepted();

    /** Accepted connections closed at once ({@link Option#maxConnections} reached, shutdown in progress, {@link OnPrepare} failed, setup failed). */
    long connectionsRejected();

    /** Bytes read from sockets. */
    long bytesIn();

    /** Bytes written to sockets. */
    long bytesOut();

    /**
     * Exceptions thrown by {@link OnRequest} or {@link OnConnect} that were not the peer's doing;
     * each closed its connection unless an {@link Option#onError} hook kept it open.
     */
    long handlerErrors();

    /**
     * Exceptions thrown by {@link OnRequest} or {@link OnConnect} that the peer caused (a read
     * timeout, a reset, a failed dial upstream: {@link ErrorAction#isPeerError}); logged as one
     * rate-limited line each, not counted in {@link #handlerErrors()}.
     */
    long peerErrors();

    /**
     * Connections that have ended, by why they closed: {@code local} (closed by this side),
     * {@code peer}, {@code reset}, {@code idle}, {@code error}, {@code shutdown}, {@code handler},
     * {@code output-limit}, {@code write-timeout} (a bounded set of keys, in that order). A new map
     * per call; counted once per connection, at its end.
     */
    default java.util.Map<String, Long> connectionsClosedByReason() {
        return java.util.Map.of();
    }

    /**
     * Connections of the {@link HandlerMode#ADAPTIVE adaptive} mode whose handler blocked outside
     * netpoll (the monitor had to take the poller from it): their later calls run on the executor
     * (the worker pool) instead of the poller's thread, so each stalls its poller once.
     */
    default long handlersOffloaded() {
        return 0;
    }

    /**
     * Offloaded connections ({@link #handlersOffloaded()}) that went back to the poller's thread
     * after 64 quick calls in a row (a call that looked blocked may have been starved of CPU).
     */
    default long handlersReadmitted() {
        return 0;
    }

    /**
     * Connections closed because their unsent output exceeded {@link Option#maxOutputBuffer}
     * (a flush on the poller thread, which cannot wait, to a peer that does not read).
     */
    long outputLimitCloses();

    /**
     * Connections closed because a {@code flush()} waited longer than the write timeout
     * ({@link Option#writeTimeout}) for a peer that does not read; the flush threw
     * {@link WriteTimeoutException}.
     */
    long writeTimeoutCloses();

    /** {@link OnRequest} calls running now. */
    long requestsActive();

    /** {@link OnRequest} calls since creation. */
    long requestsTotal();

    /** TLS handshakes and failures of these connections (all zero without TLS). */
    default io.netpoll.tls.TlsStats tls() {
        return io.netpoll.tls.TlsStats.NONE;
    }
}
