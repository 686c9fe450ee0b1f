package io.netpoll.sample.kv;

/**
 * One stored value: immutable bytes and an absolute expiry time. Entries are never changed;
 * every write replaces the entry, so a compare-and-set on the map makes read-modify-write
 * commands atomic per key. An entry with an expiry is also a member of the
 * {@link ExpiryQueue}, ordered by ({@link #expireAt}, {@link #seq}).
 */
final class Entry {

    static final long NO_EXPIRY = 0;

    final ByteKey key;
    final byte[] value;
    /** Unix time in milliseconds at which the entry is gone, or {@link #NO_EXPIRY}. */
    final long expireAt;
    /** Tie-breaker among entries with the same expiry time (0 without expiry). */
    final long seq;

    Entry(ByteKey key, byte[] value, long expireAt, long seq) {
        this.key = key;
        this.value = value;
        this.expireAt = expireAt;
        this.seq = seq;
    }

    boolean hasExpiry() {
        return expireAt != NO_EXPIRY;
    }

    boolean isExpired(long now) {
        return expireAt != NO_EXPIRY && expireAt <= now;
    }
}
