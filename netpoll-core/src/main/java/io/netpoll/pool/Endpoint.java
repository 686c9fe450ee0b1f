package io.netpoll.pool;

import io.netpoll.CloseCallback;
import io.netpoll.Connection;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool of one address. One short lock guards the idle stack and the counts: acquire and
 * release hold it for a few field updates (no I/O, no allocation in steady state; dialing happens
 * outside it). Idle connections form a LIFO stack, so the most recently used is reused first and
 * the others age out (lifetime, idle time) instead of all staying barely warm.
 */
final class Endpoint implements ConnectionPoolStats {
    final ConnectionPool pool;
    final String address;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final ArrayDeque<PooledConnection> idleStack = new ArrayDeque<>();
    /** Every open connection of this address, idle or lent (for close). */
    private final ArrayList<PooledConnection> all = new ArrayList<>();
    /** Open connections plus dials in progress: what maxConnections bounds. */
    private int total;

    // Written under the lock, read without it by the stats.
    private volatile int active;
    private volatile int idle;
    private volatile int pending;
    private volatile long created;
    private volatile long evicted;
    private volatile long acquired;
    private volatile long acquireTimeNanos;
    private volatile long acquireFailures;

    Endpoint(ConnectionPool pool, String address) {
        this.pool = pool;
        this.address = address;
    }

    PooledConnection acquire(long timeoutNanos) throws IOException {
        long start = System.nanoTime();
        long deadline = start + timeoutNanos;
        lock.lock();
        try {
            for (; ; ) {
                if (pool.isClosed()) {
                    acquireFailures++;
                    throw new PoolClosedException("the connection pool is closed");
                }
                long now = System.nanoTime();
                PooledConnection pc;
                while ((pc = idleStack.pollFirst()) != null) {
                    idle--;
                    if (reusable(pc, now)) {
                        pc.state = PooledConnection.IN_USE;
                        active++;
                        acquired++;
                        acquireTimeNanos += System.nanoTime() - start;
                        return pc;
                    }
                    evict(pc);
                }
                if (total < pool.maxConnections) {
                    total++; // the slot is ours while we dial, outside the lock
                    break;
                }
                if (pending >= pool.maxPendingAcquires) {
                    acquireFailures++;
                    throw new PendingAcquireLimitException("connection pool for " + address + " is exhausted ("
                            + pool.maxConnections + " connections) and " + pending
                            + " acquires are already waiting (the limit): failing fast");
                }
                long remaining = deadline - now;
                if (remaining <= 0) {
                    acquireFailures++;
                    throw new AcquireTimeoutException("no connection to " + address + " became available within "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (" + pool.maxConnections
                            + " connections, all in use)");
                }
                pending++;
                try {
                    available.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    acquireFailures++;
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for a connection to " + address);
                } finally {
                    pending--;
                }
            }
        } finally {
            lock.unlock();
        }
        return dial(start);
    }

    private PooledConnection dial(long start) throws IOException {
        Connection c;
        try {
            c = pool.connector.connect(address);
        } catch (IOException | RuntimeException | Error e) {
            lock.lock();
            try {
                total--;
                acquireFailures++;
                available.signal(); // the slot is free again for a waiter
            } finally {
                lock.unlock();
            }
            throw e;
        }
        PooledConnection pc = new PooledConnection(this, c, System.nanoTime());
        lock.lock();
        try {
            if (pool.isClosed()) {
                total--;
                acquireFailures++;
                c.close();
                throw new PoolClosedException("the connection pool was closed while dialing " + address);
            }
            all.add(pc);
            created++;
            active++;
            acquired++;
            acquireTimeNanos += System.nanoTime() - start;
        } finally {
            lock.unlock();
        }
        if (pool.maxIdleTimeNanos > 0) {
            // The poller's timer wheel closes a connection without traffic for that long, in use or
            // idle: idle eviction without a pool thread; the close callback does the bookkeeping.
            c.setIdleTimeout(pool.maxIdleTime);
        }
        c.addCloseCallback(onClose(pc));
        return pc;
    }

    private CloseCallback onClose(PooledConnection pc) {
        return closed -> closed(pc);
    }

    /** The connection closed, whoever closed it (peer, idle timeout, the pool, the user). */
    private void closed(PooledConnection pc) {
        lock.lock();
        try {
            if (pc.state == PooledConnection.IDLE) {
                idleStack.remove(pc);
                idle--;
                forget(pc);
                evicted++;
            }
            // IN_USE: the borrower's release sees it inactive and evicts it. CLOSED: done already.
        } finally {
            lock.unlock();
        }
    }

    void release(PooledConnection pc, boolean discard) {
        lock.lock();
        try {
            if (pc.state != PooledConnection.IN_USE) {
                return; // a second release of the same lease, or the pool closed it
            }
            active--;
            long now = System.nanoTime();
            if (!discard && !pool.isClosed() && reusable(pc, now) && nothingUnflushed(pc.connection)) {
                pc.state = PooledConnection.IDLE;
                pc.releasedNanos = now;
                idleStack.addFirst(pc);
                idle++;
                available.signal();
            } else {
                evict(pc);
            }
        } finally {
            lock.unlock();
        }
    }

    /** False if the borrower left bytes written but not flushed, or the writer refuses (closed). */
    private static boolean nothingUnflushed(Connection c) {
        try {
            return c.writer().mallocLen() == 0;
        } catch (IOException closed) {
            return false;
        }
    }

    /** Open, nothing unread (a reply nobody asked for, or one the last borrower left), young enough. */
    private boolean reusable(PooledConnection pc, long now) {
        Connection c = pc.connection;
        if (!c.isActive() || c.reader().len() != 0) {
            return false;
        }
        if (pool.maxLifetimeNanos > 0 && now - pc.createdNanos >= pool.maxLifetimeNanos) {
            return false;
        }
        return pc.state != PooledConnection.IDLE
                || pool.maxIdleTimeNanos <= 0
                || now - pc.releasedNanos < pool.maxIdleTimeNanos;
    }

    /** Under the lock: closes a connection that is neither idle-stacked nor lent any more. */
    private void evict(PooledConnection pc) {
        forget(pc);
        evicted++;
        pc.connection.close();
    }

    private void forget(PooledConnection pc) {
        pc.state = PooledConnection.CLOSED;
        all.remove(pc);
        total--;
        available.signal();
    }

    /** Closes every connection, idle or lent, and wakes every waiter (which then fails). */
    void close() {
        lock.lock();
        try {
            for (PooledConnection pc : all) {
                pc.state = PooledConnection.CLOSED;
                pc.connection.close();
            }
            all.clear();
            idleStack.clear();
            total = 0;
            idle = 0;
            active = 0;
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int active() {
        return active;
    }

    @Override
    public int idle() {
        return idle;
    }

    @Override
    public int pending() {
        return pending;
    }

    @Override
    public long created() {
        return created;
    }

    @Override
    public long evicted() {
        return evicted;
    }

    @Override
    public long acquired() {
        return acquired;
    }

    @Override
    public long acquireTimeNanos() {
        return acquireTimeNanos;
    }

    @Override
    public long acquireFailures() {
        return acquireFailures;
    }
}
