package io.netpoll.sample.kv;

import java.util.Arrays;

/**
 * A binary-safe key: the bytes (owned, never changed) and their hash, computed once.
 * {@link Comparable} so that a {@link java.util.concurrent.ConcurrentHashMap} bin flooded with
 * colliding keys degrades to a tree, not a list.
 *
 * <p>A key made by {@link #of} never changes. A <em>probe</em> ({@link #probe}) is a reusable key
 * for lookups only (a GET needs no key object of its own): it is {@link #reset} to each key
 * looked up, so it must never be stored in a map or an entry, and belongs to one thread.
 */
public final class ByteKey implements Comparable<ByteKey> {

    private static final byte[] NONE = new byte[0];

    // Not final only for probes; a key from of() is published through the map that holds it.
    private byte[] bytes;
    private int hash;
    private final boolean probe;

    private ByteKey(byte[] bytes, boolean probe) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
        this.probe = probe;
    }

    /** Wraps {@code bytes} without copying: the caller gives up the array. */
    public static ByteKey of(byte[] bytes) {
        return new ByteKey(bytes, false);
    }

    /** A reusable lookup key (see the class comment); {@link #reset} it before each use. */
    static ByteKey probe() {
        return new ByteKey(NONE, true);
    }

    /** This key if it may be stored; for a probe, a key of its own with a copy of the bytes. */
    ByteKey owned() {
        return probe ? new ByteKey(bytes.clone(), false) : this;
    }

    /** Makes this probe the key {@code bytes} (borrowed, not owned: valid for this lookup only). */
    ByteKey reset(byte[] bytes) {
        assert probe : "only a probe changes";
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
        return this;
    }

    /** The key's bytes; do not modify. */
    public byte[] bytes() {
        return bytes;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int compareTo(ByteKey o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
