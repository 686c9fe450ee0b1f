package io.netpoll.sample.kv;

import java.nio.ByteBuffer;

/**
 * Decimal integers as Redis reads and writes them ({@code string2ll}, {@code ll2string}): no
 * sign other than a leading {@code -}, no leading zeros, no spaces, at most 20 characters,
 * within {@code long}.
 */
final class Numbers {

    private Numbers() {}

    /** Parses all of {@code s}; throws {@link KvException#NOT_INTEGER} if it is not a Redis integer. */
    static long parseLong(byte[] s) {
        return parseLong(s, 0, s.length);
    }

    static long parseLong(byte[] s, int off, int len) {
        if (len == 0 || len > 20) {
            throw KvException.NOT_INTEGER;
        }
        int i = off;
        int end = off + len;
        boolean negative = false;
        if (len == 1 && s[i] == '0') {
            return 0;
        }
        if (s[i] == '-') {
            negative = true;
            i++;
            if (i == end) {
                throw KvException.NOT_INTEGER;
            }
        }
        if (s[i] < '1' || s[i] > '9') {
            throw KvException.NOT_INTEGER;
        }
        // Accumulate negatively: the range of negative longs is one larger.
        long v = 0;
        for (; i < end; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
                throw KvException.NOT_INTEGER;
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                throw KvException.NOT_INTEGER;
            }
            v = -v;
        }
        return v;
    }

    /** Parses bytes {@code [from, to)} of a view (absolute indexes); throws like {@link #parseLong(byte[])}. */
    static long parseLong(ByteBuffer b, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > 20) {
            throw KvException.NOT_INTEGER;
        }
        int i = from;
        if (len == 1 && b.get(i) == '0') {
            return 0;
        }
        boolean negative = false;
        if (b.get(i) == '-') {
            negative = true;
            i++;
            if (i == to) {
                throw KvException.NOT_INTEGER;
            }
        }
        byte first = b.get(i);
        if (first < '1' || first > '9') {
            throw KvException.NOT_INTEGER;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = b.get(i) - '0';
            if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
                throw KvException.NOT_INTEGER;
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                throw KvException.NOT_INTEGER;
            }
            v = -v;
        }
        return v;
    }

    /** The number of characters of {@code v} in decimal. */
    static int digits(long v) {
        if (v < 0) {
            return v == Long.MIN_VALUE ? 20 : 1 + digits(-v);
        }
        int n = 1;
        long p = 10;
        while (n < 19 && v >= p) {
            n++;
            p *= 10;
        }
        return n;
    }

    /** Writes {@code v} in decimal into {@code dst} ending just before {@code end}; returns the start. */
    static int putDigits(ByteBuffer dst, int end, long v) {
        int i = end;
        boolean negative = v < 0;
        if (!negative) {
            v = -v;
        }
        // v <= 0 here, so Long.MIN_VALUE needs no special case.
        do {
            dst.put(--i, (byte) ('0' - (v % 10)));
            v /= 10;
        } while (v != 0);
        if (negative) {
            dst.put(--i, (byte) '-');
        }
        return i;
    }

    /** {@code v} in decimal, in a new array (and nothing else: INCR allocates only what it stores). */
    static byte[] toBytes(long v) {
        int n = digits(v);
        byte[] out = new byte[n];
        int i = n;
        boolean negative = v < 0;
        if (!negative) {
            v = -v;
        }
        do {
            out[--i] = (byte) ('0' - (v % 10));
            v /= 10;
        } while (v != 0);
        if (negative) {
            out[0] = '-';
        }
        return out;
    }
}
