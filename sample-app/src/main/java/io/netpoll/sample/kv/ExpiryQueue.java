package io.netpoll.sample.kv;

import java.util.Comparator;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The entries that have an expiry, by expiry time, so that expired keys that nobody reads again
 * are still reclaimed, without a background task: each command first reclaims a few due entries
 * ({@link #pollDue}). Costs nothing when no key has an expiry.
 */
final class ExpiryQueue {

    private static final Comparator<Entry> ORDER =
            Comparator.<Entry>comparingLong(e -> e.expireAt).thenComparingLong(e -> e.seq);

    private final ConcurrentSkipListSet<Entry> entries = new ConcurrentSkipListSet<>(ORDER);
    private final AtomicLong seq = new AtomicLong();

    long nextSeq() {
        return seq.incrementAndGet();
    }

    void add(Entry e) {
        if (e.hasExpiry()) {
            entries.add(e);
        }
    }

    void remove(Entry e) {
        if (e != null && e.hasExpiry()) {
            entries.remove(e);
        }
    }

    /** Removes and returns one entry due at {@code now}, or null. */
    Entry pollDue(long now) {
        if (entries.isEmpty()) {
            return null;
        }
        Entry first;
        try {
            first = entries.first();
        } catch (NoSuchElementException e) {
            return null;
        }
        if (first.expireAt > now || !entries.remove(first)) {
            return null;
        }
        return first;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** O(n): for INFO only. */
    int size() {
        return entries.size();
    }

    void clear() {
        entries.clear();
    }
}
