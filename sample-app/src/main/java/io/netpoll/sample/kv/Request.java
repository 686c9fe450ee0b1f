package io.netpoll.sample.kv;

import io.netpoll.buffer.Writer;

import java.nio.charset.StandardCharsets;

/**
 * One command being executed: its arguments, where the reply goes, and the client it comes from.
 * One object per connection, reused for every command.
 */
public final class Request {

    byte[][] argv;
    int argc;
    Writer out;
    final ClientState client;
    boolean closeAfterReply;
    /**
     * Arguments the command may have kept (bit i: argument i; bit 63: any from 63 on): those
     * given out by {@link #arg} or {@link #key}. The others go back to the parser for reuse.
     */
    long retained;

    private final ByteKey probe = ByteKey.probe();

    Request(ClientState client) {
        this.client = client;
    }

    /** Argument {@code i}, owned by the caller from now on (it may store it). */
    byte[] arg(int i) {
        retained |= 1L << Math.min(i, 63);
        return argv[i];
    }

    /** Argument {@code i} as a key the caller may store. */
    ByteKey key(int i) {
        return ByteKey.of(arg(i));
    }

    /**
     * Argument {@code i} as a key for a lookup that stores nothing (get, exists...): a probe reused
     * by every command of the connection, valid until the next call of this method.
     */
    ByteKey lookupKey(int i) {
        return probe.reset(argv[i]);
    }

    /** Argument {@code i} as text (ISO-8859-1: one char per byte, so nothing is lost). */
    String text(int i) {
        return new String(argv[i], StandardCharsets.ISO_8859_1);
    }

    long integer(int i) {
        return Numbers.parseLong(argv[i]);
    }

    /** True if argument {@code i} is {@code word} (ASCII, case-insensitive); {@code word} in upper case. */
    boolean is(int i, String word) {
        return equalsIgnoreCase(argv[i], word);
    }

    static boolean equalsIgnoreCase(byte[] a, String upper) {
        if (a.length != upper.length()) {
            return false;
        }
        for (int j = 0; j < a.length; j++) {
            int c = a[j];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != upper.charAt(j)) {
                return false;
            }
        }
        return true;
    }
}
