package io.netpoll.internal;

import java.util.concurrent.TimeUnit;

/**
 * A hashed timer wheel for idle timeouts and TLS handshake deadlines, owned by one poller thread
 * (no synchronisation). A connection has one entry, due at the earlier of its idle deadline and,
 * while it handshakes, its handshake deadline: a thousand handshakes in progress cost no timer
 * object and no priority-queue entry each.
 *
 * <p>Activity does not touch the wheel: a connection only records when it last read or wrote,
 * on its poller's coarse clock (the time of the poller's current turn: see
 * {@link Poller#turnNanos}, {@link Poller#clockNanos}). When its slot comes round, the wheel
 * compares that time with the idle timeout and either closes the connection or moves it to the
 * slot of its new deadline. So the per-read or per-write cost of idle tracking is one plain store
 * (no clock read: a stamp is at most one poller turn early, below the wheel's tick unless a turn
 * stalls), and the wheel cost is one visit per connection per revolution ({@value #SLOTS} ticks
 * of {@value #TICK_MS} ms). Entries are linked through fields of the connection, so scheduling
 * and removal allocate nothing and are O(1).
 */
final class IdleWheel {
    static final int SLOTS = 256;
    static final long TICK_MS = 50;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MS);
    private static final int MASK = SLOTS - 1;

    private final NioConnection[] heads = new NioConnection[SLOTS];
    private long processedTick = Long.MIN_VALUE;
    private int size;

    int size() {
        return size;
    }

    /**
     * (Re)schedules {@code c} for its next deadline (idle or handshake), or removes it when it has
     * neither.
     */
    void schedule(NioConnection c, long now) {
        remove(c);
        if (!tracked(c) || c.isClosedFlag()) {
            return;
        }
        if (processedTick == Long.MIN_VALUE) {
            processedTick = now / TICK_NANOS;
        }
        long deadline = deadline(c);
        link(c, deadline - now < 0 ? now : deadline);
    }

    private static boolean tracked(NioConnection c) {
        return c.idleTimeoutNanos > 0 || c.handshakePending;
    }

    /** The earlier of the idle deadline and, while handshaking, the handshake deadline ({@code tracked(c)}). */
    private static long deadline(NioConnection c) {
        if (!c.handshakePending) {
            return c.idleSinceNanos() + c.idleTimeoutNanos;
        }
        long handshake = c.handshakeDeadlineNanos();
        if (c.idleTimeoutNanos <= 0) {
            return handshake;
        }
        long idle = c.idleSinceNanos() + c.idleTimeoutNanos;
        return handshake - idle < 0 ? handshake : idle;
    }

    void remove(NioConnection c) {
        if (c.wheelSlot < 0) {
            return;
        }
        if (c.wheelPrev != null) {
            c.wheelPrev.wheelNext = c.wheelNext;
        } else {
            heads[c.wheelSlot] = c.wheelNext;
        }
        if (c.wheelNext != null) {
            c.wheelNext.wheelPrev = c.wheelPrev;
        }
        c.wheelPrev = c.wheelNext = null;
        c.wheelSlot = -1;
        size--;
    }

    private void link(NioConnection c, long deadline) {
        long tick = deadline / TICK_NANOS + 1;
        if (tick <= processedTick) {
            tick = processedTick + 1;
        }
        int slot = (int) (tick & MASK);
        NioConnection head = heads[slot];
        c.wheelNext = head;
        c.wheelPrev = null;
        if (head != null) {
            head.wheelPrev = c;
        }
        heads[slot] = c;
        c.wheelSlot = slot;
        size++;
    }

    /** Milliseconds until the next tick, or 0 (wait forever) when nothing is scheduled. */
    long timeoutMillis(long now) {
        if (size == 0) {
            return 0;
        }
        long next = (now / TICK_NANOS + 1) * TICK_NANOS;
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - now + 999_999));
    }

    /** Processes every slot whose tick has passed (at most one revolution). */
    void advance(long now) {
        long target = now / TICK_NANOS;
        if (processedTick == Long.MIN_VALUE) {
            processedTick = target;
            return;
        }
        long from = Math.max(processedTick + 1, target - SLOTS + 1);
        for (long t = from; t <= target; t++) {
            processedTick = t;
            int slot = (int) (t & MASK);
            NioConnection c = heads[slot];
            heads[slot] = null;
            while (c != null) {
                NioConnection next = c.wheelNext;
                c.wheelPrev = c.wheelNext = null;
                c.wheelSlot = -1;
                size--;
                if (!c.isClosedFlag() && tracked(c)) {
                    if (c.handshakePending && c.handshakeDeadlineNanos() - now <= 0) {
                        c.handshakeExpiredOnWheel();
                    } else if (c.idleTimeoutNanos > 0 && c.idleSinceNanos() + c.idleTimeoutNanos - now <= 0) {
                        c.idleExpired();
                    } else {
                        link(c, deadline(c));
                    }
                }
                c = next;
            }
        }
        processedTick = Math.max(processedTick, target);
    }
}
