package io.netpoll.pool;

import io.netpoll.Dialer;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A pool of client connections per remote address, over a {@link Dialer} (or any
 * {@link Connector}); the long-connection pool of Kitex, with the limits of Reactor Netty's
 * fixed {@code ConnectionProvider}.
 *
 * <pre>{@code
 * ConnectionPool pool = ConnectionPool.builder(dialer).maxConnections(8).build();
 * try (PooledConnection lease = pool.acquire("127.0.0.1:6379")) {
 *     Connection c = lease.connection();
 *     ... write a request, flush, read the whole reply ...
 * } // released: back to the pool if reusable, closed otherwise
 * }</pre>
 *
 * <h2>Limits</h2>
 * Per address: at most {@code maxConnections} open connections (lent, idle or being dialed). An
 * acquire takes an idle connection (the most recently released first), or dials a new one when
 * under the maximum, or waits until one is released, at most {@code acquireTimeout}
 * ({@link AcquireTimeoutException}). At most {@code maxPendingAcquires} callers wait per
 * address; one more fails at once with {@link PendingAcquireLimitException}, so an overloaded
 * upstream sheds load instead of piling up threads.
 *
 * <h2>Validation and eviction</h2>
 * An idle connection is checked before it is lent: still open (a peer's close or reset, seen by
 * the poller, makes it inactive), no input that arrived unasked, younger than
 * {@code maxLifetime}, idle for less than {@code maxIdleTime}; one that fails is closed and the
 * next is tried. Release applies the same checks plus "no unflushed output" (see
 * {@link PooledConnection}). {@code maxIdleTime} is also set as each connection's idle timeout,
 * so the pollers' timer wheel closes connections that sit unused (or that are lent but silent
 * for that long), with no pool thread. A peer may still close a connection in the instant after
 * validation: a request on a pooled connection can fail with {@code ConnectionClosedException},
 * and whether to retry it (is it idempotent?) is the caller's decision.
 *
 * <h2>Cost</h2>
 * Acquire and release of an existing connection take one short uncontended lock and allocate
 * nothing ({@link PooledConnection} handles live as long as their connection; the per-address
 * lookup is a {@link ConcurrentHashMap} get). Waiting allocates (a condition node).
 *
 * <h2>Threading and closing</h2>
 * Thread-safe. {@link #close()} closes every connection, idle or lent (borrowers then see
 * {@code ConnectionClosedException}), and fails waiting and later acquires with
 * {@link PoolClosedException}. The pool does not own the dialer or its poller group.
 */
public final class ConnectionPool implements AutoCloseable {
    final Connector connector;
    final int maxConnections;
    final int maxPendingAcquires;
    final Duration acquireTimeout;
    final long acquireTimeoutNanos;
    final @Nullable Duration maxIdleTime;
    final long maxIdleTimeNanos;
    final @Nullable Duration maxLifetime;
    final long maxLifetimeNanos;
    private final ConcurrentHashMap<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Totals totals = new Totals();
    private volatile boolean closed;

    private ConnectionPool(Builder b) {
        this.connector = b.connector;
        this.maxConnections = b.maxConnections;
        this.maxPendingAcquires = b.maxPendingAcquires;
        this.acquireTimeout = b.acquireTimeout;
        this.acquireTimeoutNanos = nanos(b.acquireTimeout);
        this.maxIdleTime = b.maxIdleTime;
        this.maxIdleTimeNanos = nanos(b.maxIdleTime);
        this.maxLifetime = b.maxLifetime;
        this.maxLifetimeNanos = nanos(b.maxLifetime);
    }

    /** A builder dialing with {@code dialer} over TCP ({@code dialer.dialConnection("tcp", address)}, the dialer's connect timeout). */
    public static Builder builder(Dialer dialer) {
        Objects.requireNonNull(dialer, "dialer");
        return builder(address -> dialer.dialConnection("tcp", address));
    }

    /** A builder dialing with {@code connector}. */
    public static Builder builder(Connector connector) {
        return new Builder(Objects.requireNonNull(connector, "connector"));
    }

    /**
     * Lends a connection to {@code address} (as the connector understands it: {@code host:port}
     * for a dialer), waiting at most the pool's acquire timeout.
     *
     * @throws AcquireTimeoutException when none became available in time
     * @throws PendingAcquireLimitException when too many callers already wait for this address
     * @throws PoolClosedException when the pool is (or gets) closed
     * @throws IOException the connector's errors when a new connection is dialed (refused, dial timeout)
     */
    public PooledConnection acquire(String address) throws IOException {
        return endpoint(address).acquire(acquireTimeoutNanos);
    }

    /** As {@link #acquire(String)}, waiting at most {@code timeout} (zero: not at all). */
    public PooledConnection acquire(String address, @Nullable Duration timeout) throws IOException {
        return endpoint(address).acquire(nanos(timeout));
    }

    private Endpoint endpoint(String address) throws PoolClosedException {
        Endpoint e = endpoints.get(address); // no allocation once the address is known
        if (e == null) {
            Objects.requireNonNull(address, "address");
            if (closed) {
                throw new PoolClosedException("the connection pool is closed");
            }
            e = endpoints.computeIfAbsent(address, a -> new Endpoint(this, a));
        }
        return e;
    }

    /** The gauges and counters over all addresses. */
    public ConnectionPoolStats stats() {
        return totals;
    }

    /** The gauges and counters of one address, or {@code null} if it was never acquired. */
    public @Nullable ConnectionPoolStats stats(String address) {
        return endpoints.get(address);
    }

    /** The addresses acquired so far. */
    public Set<String> addresses() {
        return java.util.Collections.unmodifiableSet(endpoints.keySet());
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int maxPendingAcquires() {
        return maxPendingAcquires;
    }

    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /** The maximum idle time, or {@code null} for none. */
    public @Nullable Duration maxIdleTime() {
        return maxIdleTime;
    }

    /** The maximum lifetime, or {@code null} for none. */
    public @Nullable Duration maxLifetime() {
        return maxLifetime;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Closes every connection and fails waiting and later acquires. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Endpoint e : endpoints.values()) {
            e.close();
        }
    }

    private static long nanos(@Nullable Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            return 0;
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }

    /** The sums over all addresses, computed when read. */
    private final class Totals implements ConnectionPoolStats {
        @Override
        public int active() {
            int n = 0;
            for (Endpoint e : endpoints.values()) {
                n += e.active();
            }
            return n;
        }

        @Override
        public int idle() {
            int n = 0;
            for (Endpoint e : endpoints.values()) {
                n += e.idle();
            }
            return n;
        }

        @Override
        public int pending() {
            int n = 0;
            for (Endpoint e : endpoints.values()) {
                n += e.pending();
            }
            return n;
        }

        @Override
        public long created() {
            long n = 0;
            for (Endpoint e : endpoints.values()) {
                n += e.created();
            }
            return n;
        }

        @Override
        public long evicted() {
            long n = 0;
            for (Endpoint e : endpoints.values()) {
                n += e.evicted();
            }
            return n;
        }

        @Override
        public long acquired() {
            long n = 0;
            for (Endpoint e : endpoints.values()) {
                n += e.acquired();
            }
            return n;
        }

        @Override
        public long acquireTimeNanos() {
            long n = 0;
            for (Endpoint e : endpoints.values()) {
                n += e.acquireTimeNanos();
            }
            return n;
        }

        @Override
        public long acquireFailures() {
            long n = 0;
            for (Endpoint e : endpoints.values()) {
                n += e.acquireFailures();
            }
            return n;
        }
    }

    /**
     * Configuration of a {@link ConnectionPool}. Defaults: 16 connections per address, 10 s
     * acquire timeout, 1000 pending acquires per address, no maximum idle time or lifetime.
     * Not thread-safe; {@link #build()} copies it.
     */
    public static final class Builder {
        private final Connector connector;
        private int maxConnections = 16;
        private int maxPendingAcquires = 1000;
        private Duration acquireTimeout = Duration.ofSeconds(10);
        private @Nullable Duration maxIdleTime;
        private @Nullable Duration maxLifetime;

        private Builder(Connector connector) {
            this.connector = connector;
        }

        /** Open connections per address, lent or idle (at least 1). */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1: " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /** Callers that may wait per address when all connections are lent (0: fail at once). */
        public Builder maxPendingAcquires(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxPendingAcquires must not be negative: " + max);
            }
            this.maxPendingAcquires = max;
            return this;
        }

        /** How long an acquire waits for a connection to be released (null or zero: not at all). */
        public Builder acquireTimeout(@Nullable Duration timeout) {
            this.acquireTimeout = timeout == null ? Duration.ZERO : timeout;
            return this;
        }

        /** Closes connections unused for this long (null or zero: never). */
        public Builder maxIdleTime(@Nullable Duration d) {
            this.maxIdleTime = positiveOrNull(d);
            return this;
        }

        /** Closes connections this old at their next release or validation (null or zero: never). */
        public Builder maxLifetime(@Nullable Duration d) {
            this.maxLifetime = positiveOrNull(d);
            return this;
        }

        public ConnectionPool build() {
            return new ConnectionPool(this);
        }

        private static @Nullable Duration positiveOrNull(@Nullable Duration d) {
            return d == null || d.isZero() || d.isNegative() ? null : d;
        }
    }
}
