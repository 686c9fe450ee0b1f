package io.netpoll.pool;

import io.netpoll.Connection;

/**
 * A connection lent by a {@link ConnectionPool}: use {@link #connection()} to read and write,
 * then give it back with {@link #release()} (or {@link #close()}, the same, for
 * try-with-resources), or {@link #discard()} it when the exchange went wrong.
 *
 * <h2>Ownership and threading</h2>
 * Between acquire and release the caller owns the connection exclusively (one thread at a time,
 * as any {@link Connection}). After release the handle must not be used: the pool reuses this
 * object for the next acquire of the same physical connection (that is how acquire and release
 * allocate nothing), so a late call through a stale handle would act on someone else's lease.
 * A second release or discard of the same lease is ignored.
 *
 * <h2>What release checks</h2>
 * A connection goes back to the pool only when it is still open, has no unread input (a reply
 * the caller did not consume would be read by the next borrower as its own), has no written but
 * unflushed output, and is younger than the pool's maximum lifetime; otherwise release closes it
 * (counted as evicted). Do not leave an {@code OnRequest} handler set on a pooled connection.
 */
public final class PooledConnection implements AutoCloseable {
    static final int IDLE = 0;
    static final int IN_USE = 1;
    static final int CLOSED = 2;

    final Endpoint endpoint;
    final Connection connection;
    final long createdNanos;
    /** Guarded by the endpoint's lock. */
    int state = IN_USE;
    /** When it was last released; guarded by the endpoint's lock. */
    long releasedNanos;

    PooledConnection(Endpoint endpoint, Connection connection, long createdNanos) {
        this.endpoint = endpoint;
        this.connection = connection;
        this.createdNanos = createdNanos;
    }

    /** The lent connection. Valid until release or discard. */
    public Connection connection() {
        return connection;
    }

    /** The address it was acquired for, as given to {@link ConnectionPool#acquire(String)}. */
    public String address() {
        return endpoint.address;
    }

    /** Gives the connection back to the pool, which keeps it if it is reusable and closes it otherwise. */
    public void release() {
        endpoint.release(this, false);
    }

    /** Closes the connection instead of returning it (after an error, a timeout, a protocol violation). */
    public void discard() {
        endpoint.release(this, true);
    }

    /** Same as {@link #release()}, so a lease fits in try-with-resources. */
    @Override
    public void close() {
        release();
    }

    @Override
    public String toString() {
        return "PooledConnection[" + endpoint.address + ", " + connection + "]";
    }
}
