package io.netpoll.sample.kv;

import io.netpoll.buffer.Writer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes RESP2 replies to a {@link Writer}. Constant replies are pre-encoded; integers and length
 * headers are formatted straight into {@link Writer#malloc} memory, so a reply allocates nothing.
 */
public final class Resp {

    static final byte[] OK = ascii("+OK\r\n");
    static final byte[] PONG = ascii("+PONG\r\n");
    static final byte[] NULL_BULK = ascii("$-1\r\n");
    static final byte[] NULL_ARRAY = ascii("*-1\r\n");
    static final byte[] EMPTY_ARRAY = ascii("*0\r\n");
    static final byte[] CRLF = ascii("\r\n");
    private static final byte[][] SMALL_INTEGERS = new byte[64][];
    /** {@code $<n>\r\n} for the lengths of most replied values: copied whole, not formatted digit by digit. */
    private static final byte[][] BULK_HEADERS = new byte[1024][];

    static {
        for (int i = 0; i < SMALL_INTEGERS.length; i++) {
            SMALL_INTEGERS[i] = ascii(":" + i + "\r\n");
        }
        for (int i = 0; i < BULK_HEADERS.length; i++) {
            BULK_HEADERS[i] = ascii("$" + i + "\r\n");
        }
    }

    private Resp() {}

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static void ok(Writer out) throws IOException {
        out.writeBinary(OK);
    }

    static void raw(Writer out, byte[] encoded) throws IOException {
        out.writeBinary(encoded);
    }

    /** {@code +text\r\n}; {@code text} must not contain CR or LF. */
    static void simple(Writer out, String text) throws IOException {
        out.writeByte((byte) '+');
        out.writeString(text, StandardCharsets.ISO_8859_1);
        out.writeBinary(CRLF);
    }

    /**
     * {@code -text\r\n}. As Redis does, CR and LF inside the text become spaces, so that the reply
     * stays one line whatever a client put in it. The text is one char per byte (ISO-8859-1), so
     * client bytes quoted in it come back unchanged.
     */
    static void error(Writer out, String text) throws IOException {
        out.writeByte((byte) '-');
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\r' || b[i] == '\n') {
                b[i] = ' ';
            }
        }
        out.writeBinary(b);
        out.writeBinary(CRLF);
    }

    static void integer(Writer out, long v) throws IOException {
        if (v >= 0 && v < SMALL_INTEGERS.length) {
            out.writeBinary(SMALL_INTEGERS[(int) v]);
            return;
        }
        header(out, (byte) ':', v);
    }

    static void bulk(Writer out, byte[] value) throws IOException {
        if (value == null) {
            out.writeBinary(NULL_BULK);
            return;
        }
        int n = value.length;
        if (n < BULK_HEADERS.length) {
            // A small reply in one malloc and three bulk copies: fewer writer calls and view
            // positionings per GET than header, value and CRLF written separately.
            byte[] h = BULK_HEADERS[n];
            ByteBuffer b = out.malloc(h.length + n + 2);
            int p = b.position();
            b.put(p, h);
            b.put(p + h.length, value);
            b.put(p + h.length + n, (byte) '\r');
            b.put(p + h.length + n + 1, (byte) '\n');
            return;
        }
        header(out, (byte) '$', n);
        out.writeBinary(value);
        out.writeBinary(CRLF);
    }

    static void bulk(Writer out, String value) throws IOException {
        bulk(out, value.getBytes(StandardCharsets.UTF_8));
    }

    static void arrayHeader(Writer out, int n) throws IOException {
        header(out, (byte) '*', n);
    }

    /** {@code <type><v>\r\n}, formatted in place. */
    private static void header(Writer out, byte type, long v) throws IOException {
        int digits = Numbers.digits(v);
        ByteBuffer b = out.malloc(digits + 3);
        int p = b.position();
        b.put(p, type);
        Numbers.putDigits(b, p + 1 + digits, v);
        b.put(p + 1 + digits, (byte) '\r');
        b.put(p + 2 + digits, (byte) '\n');
    }
}
