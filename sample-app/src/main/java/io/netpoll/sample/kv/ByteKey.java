package io.netpoll.sample.kv;

import java.util.Arrays;

/**
 * A binary-safe key: the bytes (owned, never changed) and their hash, computed once.
 * {@link Comparable} so that a {@link java.util.concurrent.ConcurrentHashMap} bin flooded with
 * colliding keys degrades to a tree, not a list.
 */
public final class ByteKey implements Comparable<ByteKey> {

    private final byte[] bytes;
    private final int hash;

    private ByteKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Wraps {@code bytes} without copying: the caller gives up the array. */
    public static ByteKey of(byte[] bytes) {
        return new ByteKey(bytes);
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
