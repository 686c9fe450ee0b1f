package io.netpoll.pool;

/**
 * Read-only gauges and counters of a {@link ConnectionPool} (all addresses) or of one address.
 * Reading costs the pool nothing (plain volatile reads; values read together are not one atomic
 * snapshot). Counters only grow.
 */
public interface ConnectionPoolStats {

    /** Connections handed out and not yet released. */
    int active();

    /** Open connections waiting in the pool for an acquire. */
    int idle();

    /** Acquires waiting for a connection (at most the pending-acquire limit per address). */
    int pending();

    /** Connections opened by the pool. */
    long created();

    /** Connections the pool closed: failed validation, too old, released in a broken state, or closed by the peer while idle. */
    long evicted();

    /** Acquires that returned a connection. */
    long acquired();

    /** The total time those acquires took (waiting and dialing included), in nanoseconds. */
    long acquireTimeNanos();

    /** Acquires that failed: timed out, rejected by the pending limit, or failed to dial. */
    long acquireFailures();
}
