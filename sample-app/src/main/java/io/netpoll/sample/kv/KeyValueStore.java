package io.netpoll.sample.kv;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The in-memory database: binary keys to immutable string values, with expiry by a clock.
 *
 * <h2>Threading</h2>
 * Safe for any number of threads. Each operation is atomic per key: read-modify-write operations
 * (INCR, APPEND, SET NX/XX, EXPIRE...) replace the entry with compare-and-set and retry on
 * contention. Operations over several keys (MSET, MGET) are not atomic as a whole.
 *
 * <h2>Expiry</h2>
 * An expired entry is invisible at once (every read compares its time with the clock) and is
 * removed when touched, or when {@link #reclaimExpired} (called before each command) or
 * {@link #size()} finds it in the {@link ExpiryQueue}. No background thread.
 *
 * <h2>Keys</h2>
 * {@link #get}, {@link #exists} and {@link #pttl} only look their key up, and
 * {@link #incrementBy} stores a {@link ByteKey#owned copy}, so they accept a
 * {@link ByteKey#probe probe}; every other method may store the key it is given.
 */
public final class KeyValueStore {

    /** Conditions of {@code SET}. */
    public enum Condition {
        ALWAYS,
        IF_ABSENT,
        IF_PRESENT
    }

    /** What {@code SET} did: whether it stored the value, and the value before (null if none). */
    public record SetOutcome(boolean applied, byte[] previous) {}

    /** Flags of {@code EXPIRE}. */
    public static final int EXPIRE_NX = 1;

    public static final int EXPIRE_XX = 2;
    public static final int EXPIRE_GT = 4;
    public static final int EXPIRE_LT = 8;

    private final ConcurrentHashMap<ByteKey, Entry> map = new ConcurrentHashMap<>();
    private final ExpiryQueue expiries = new ExpiryQueue();
    private final LongSupplier clock;
    private final long maxValueLength;

    /**
     * @param clock          Unix time in milliseconds (tests pass a manual clock)
     * @param maxValueLength longest value {@code APPEND} may build
     */
    public KeyValueStore(LongSupplier clock, long maxValueLength) {
        this.clock = clock;
        this.maxValueLength = maxValueLength;
    }

    public KeyValueStore() {
        this(System::currentTimeMillis, RespLimits.DEFAULT_MAX_BULK_LENGTH);
    }

    /** The store's current time (Unix milliseconds). */
    public long now() {
        return clock.getAsLong();
    }

    public byte[] get(ByteKey key) {
        Entry e = live(key);
        return e == null ? null : e.value;
    }

    /** Plain {@code SET key value}: no condition, clears any expiry. */
    public void set(ByteKey key, byte[] value) {
        Entry old = map.put(key, new Entry(key, value, Entry.NO_EXPIRY, 0));
        expiries.remove(old);
    }

    /**
     * {@code SET} with options.
     *
     * @param expireAt absolute expiry (Unix ms), or {@link Entry#NO_EXPIRY}
     * @param keepTtl  keep the current expiry ({@code KEEPTTL})
     */
    public SetOutcome set(ByteKey key, byte[] value, Condition condition, long expireAt, boolean keepTtl) {
        long now = now();
        while (true) {
            Entry raw = map.get(key);
            Entry cur = alive(raw, now);
            byte[] previous = cur == null ? null : cur.value;
            if ((condition == Condition.IF_ABSENT && cur != null)
                    || (condition == Condition.IF_PRESENT && cur == null)) {
                return new SetOutcome(false, previous);
            }
            long at = keepTtl ? (cur == null ? Entry.NO_EXPIRY : cur.expireAt) : expireAt;
            if (swap(key, raw, newEntry(key, value, at))) {
                return new SetOutcome(true, previous);
            }
        }
    }

    /** Deletes {@code key}; true if it existed (and had not expired). */
    public boolean delete(ByteKey key) {
        Entry raw = map.remove(key);
        if (raw == null) {
            return false;
        }
        expiries.remove(raw);
        return !raw.isExpired(now());
    }

    public boolean exists(ByteKey key) {
        return live(key) != null;
    }

    /** Adds {@code delta} to the integer stored at {@code key} (0 if absent); keeps its expiry. */
    public long incrementBy(ByteKey key, long delta) {
        long now = now();
        while (true) {
            Entry raw = map.get(key);
            Entry cur = alive(raw, now);
            long old = cur == null ? 0 : Numbers.parseLong(cur.value);
            if ((delta < 0 && old < 0 && delta < Long.MIN_VALUE - old)
                    || (delta > 0 && old > 0 && delta > Long.MAX_VALUE - old)) {
                throw KvException.OVERFLOW;
            }
            long result = old + delta;
            // The key the map holds when there is one: no copy of the probe's bytes per INCR.
            ByteKey k = raw != null ? raw.key : key.owned();
            Entry next = newEntry(k, Numbers.toBytes(result), cur == null ? Entry.NO_EXPIRY : cur.expireAt);
            if (swap(k, raw, next)) {
                return result;
            }
        }
    }

    /** Appends {@code suffix} to the value at {@code key} (created if absent); returns the new length. */
    public long append(ByteKey key, byte[] suffix) {
        long now = now();
        while (true) {
            Entry raw = map.get(key);
            Entry cur = alive(raw, now);
            byte[] value;
            long at;
            if (cur == null) {
                value = suffix;
                at = Entry.NO_EXPIRY;
            } else {
                long total = (long) cur.value.length + suffix.length;
                if (total > maxValueLength) {
                    throw KvException.TOO_BIG;
                }
                value = new byte[(int) total];
                System.arraycopy(cur.value, 0, value, 0, cur.value.length);
                System.arraycopy(suffix, 0, value, cur.value.length, suffix.length);
                at = cur.expireAt;
            }
            if (swap(key, raw, newEntry(key, value, at))) {
                return value.length;
            }
        }
    }

    /**
     * Sets the expiry of {@code key} to {@code when} (absolute Unix ms) subject to {@code flags}
     * ({@link #EXPIRE_NX}...); a time not in the future deletes the key. Returns 1 if done, 0 if
     * the key does not exist or a flag prevented it.
     */
    public int expire(ByteKey key, long when, int flags) {
        long now = now();
        while (true) {
            Entry raw = map.get(key);
            Entry cur = alive(raw, now);
            if (cur == null) {
                return 0;
            }
            long current = cur.hasExpiry() ? cur.expireAt : -1;
            if ((flags & EXPIRE_NX) != 0 && current != -1
                    || (flags & EXPIRE_XX) != 0 && current == -1
                    || (flags & EXPIRE_GT) != 0 && (current == -1 || when <= current)
                    || (flags & EXPIRE_LT) != 0 && current != -1 && when >= current) {
                return 0;
            }
            Entry next = when <= now ? null : newEntry(key, cur.value, when);
            if (swap(key, raw, next)) {
                return 1;
            }
        }
    }

    /** Milliseconds to live: -2 if no such key, -1 if it has no expiry. */
    public long pttl(ByteKey key) {
        long now = now();
        Entry e = live(key, now);
        if (e == null) {
            return -2;
        }
        return e.hasExpiry() ? Math.max(0, e.expireAt - now) : -1;
    }

    /** Removes the expiry of {@code key}; true if it had one. */
    public boolean persist(ByteKey key) {
        long now = now();
        while (true) {
            Entry raw = map.get(key);
            Entry cur = alive(raw, now);
            if (cur == null || !cur.hasExpiry()) {
                return false;
            }
            if (swap(key, raw, newEntry(key, cur.value, Entry.NO_EXPIRY))) {
                return true;
            }
        }
    }

    /** The number of keys, after removing every expired one. */
    public long size() {
        long now = now();
        Entry e;
        while ((e = expiries.pollDue(now)) != null) {
            map.remove(e.key, e);
        }
        return map.mappingCount();
    }

    /** The number of keys with an expiry (may include some expired and not yet reclaimed). */
    public long expiringKeys() {
        return expiries.size();
    }

    /** Removes up to {@code budget} expired keys. */
    public void reclaimExpired(int budget) {
        if (expiries.isEmpty()) {
            return;
        }
        long now = now();
        for (int i = 0; i < budget; i++) {
            Entry e = expiries.pollDue(now);
            if (e == null) {
                return;
            }
            map.remove(e.key, e);
        }
    }

    public void clear() {
        map.clear();
        expiries.clear();
    }

    private Entry newEntry(ByteKey key, byte[] value, long expireAt) {
        return new Entry(key, value, expireAt, expireAt == Entry.NO_EXPIRY ? 0 : expiries.nextSeq());
    }

    /** As {@link #live(ByteKey, long)}, reading the clock only for an entry with an expiry (not per GET). */
    private Entry live(ByteKey key) {
        Entry e = map.get(key);
        return e != null && e.hasExpiry() ? live(key, e, now()) : e;
    }

    /** The entry if it has not expired; an expired one is removed. */
    private Entry live(ByteKey key, long now) {
        return live(key, map.get(key), now);
    }

    private Entry live(ByteKey key, Entry e, long now) {
        if (e != null && e.isExpired(now)) {
            if (map.remove(key, e)) {
                expiries.remove(e);
            }
            return null;
        }
        return e;
    }

    private static Entry alive(Entry raw, long now) {
        return raw == null || raw.isExpired(now) ? null : raw;
    }

    /**
     * Replaces {@code expected} (the map's entry, possibly expired, or null) by {@code next}
     * (null: remove) if the map still holds {@code expected}.
     */
    private boolean swap(ByteKey key, Entry expected, Entry next) {
        if (next != null) {
            expiries.add(next);
        }
        boolean done;
        if (expected == null) {
            done = next == null || map.putIfAbsent(key, next) == null;
        } else if (next == null) {
            done = map.remove(key, expected);
        } else {
            done = map.replace(key, expected, next);
        }
        if (done) {
            expiries.remove(expected);
        } else {
            expiries.remove(next);
        }
        return done;
    }
}
