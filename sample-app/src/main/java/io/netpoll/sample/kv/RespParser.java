package io.netpoll.sample.kv;

import io.netpoll.buffer.Reader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An incremental, non-blocking parser of Redis requests (RESP2 multibulk arrays of bulk strings,
 * and inline commands), one per connection.
 *
 * <p>{@link #parse} only asks the reader for bytes it has checked are there ({@link Reader#len()},
 * {@link Reader#indexOf}), so it never waits: it returns {@link #NEED_MORE} and resumes where it
 * stopped on the next call. Every complete piece (the {@code *<n>} header, each {@code $<n>} header,
 * each argument) is taken as soon as it is there; arguments are copied out (they outlive the
 * reader's views), everything else is read in place from {@link Reader#peek} views.
 *
 * <p>Bad input gives {@link #ERROR} with a Redis error text in {@link #error()}; the caller replies
 * with it and closes the connection (as Redis does). What a client can make the parser hold is
 * bounded by {@link RespLimits}.
 *
 * <p>Not thread-safe: one connection, one thread at a time.
 */
public final class RespParser {

    /** A command is ready in {@link #argv()} / {@link #argc()}. */
    public static final int COMMAND = 0;
    /** The bytes so far are a prefix of a valid request; call again when more arrive. */
    public static final int NEED_MORE = 1;
    /** Malformed or over a limit: reply {@link #error()} and close. The parser is then unusable. */
    public static final int ERROR = 2;

    private static final byte[][] NO_ARGS = new byte[0][];
    private static final int RETAINED_ARGV = 1024;
    /** Bytes the fast path looks at: a whole command of up to this size is parsed in one go. */
    private static final int FAST_WINDOW = 512;
    /** The fast path's copy of the bytes it looks at. */
    private final byte[] scratch = new byte[FAST_WINDOW];

    private final RespLimits limits;
    private byte[][] argv = new byte[16][];
    private int argc;
    /** Arguments of the current multibulk request still expected (0: between requests). */
    private int multibulkRemaining;
    /** Length of the next bulk argument, or -1 until its {@code $} line is read. */
    private int bulkLength = -1;
    /** Bytes of the arguments of the current request copied so far. */
    private long argBytes;
    /** The bulk argument being received, when it did not arrive in one piece ({@link #partialLength} bytes so far). */
    private byte[] partial;

    private int partialLength;
    /** First allocation for a partly received argument; it doubles as more arrives. */
    private static final int PARTIAL_START = 64 * 1024;
    /** Most bytes taken from the reader at once while receiving a large argument. */
    private static final int PIECE = 64 * 1024;

    private String error;
    private final List<byte[]> inline = new ArrayList<>();

    /** Arguments handed back by {@link #recycle}, by position: reused for an argument of the same length. */
    private final byte[][] spares = new byte[SPARES][];
    /** Positions with a spare (a read of the same key, or the command name, then allocates nothing). */
    private static final int SPARES = 4;
    /** Longest argument kept for reuse: small keys and names; values are stored, not recycled. */
    private static final int MAX_SPARE = 64;

    public RespParser(RespLimits limits) {
        this.limits = limits;
    }

    public RespParser() {
        this(RespLimits.DEFAULTS);
    }

    /** The arguments of the command just parsed, in {@code argv()[0 .. argc())}. Valid until the next {@link #parse}. */
    public byte[][] argv() {
        return argv;
    }

    public int argc() {
        return argc;
    }

    /**
     * Hands the arguments of the command just executed back for reuse, except those in
     * {@code retained} (bit i: argument i; bit 63: all from 63 on), which the command kept. A
     * recycled array is overwritten by a later {@link #parse}: the caller must no longer use it.
     */
    public void recycle(long retained) {
        int n = Math.min(argc, SPARES);
        for (int i = 0; i < n; i++) {
            byte[] arg = argv[i];
            if ((retained & (1L << i)) == 0 && arg.length <= MAX_SPARE) {
                spares[i] = arg;
            }
        }
    }

    /** An array for argument {@code index} of {@code size} bytes: a recycled one when there is one. */
    byte[] newArg(int index, int size) {
        if (index < SPARES) {
            byte[] spare = spares[index];
            if (spare != null && spare.length == size) {
                spares[index] = null; // it is an argument again until recycled
                return spare;
            }
        }
        return new byte[size];
    }

    /** The error reply text (without {@code -} and CRLF) after {@link #ERROR}. */
    public String error() {
        return error;
    }

    /**
     * Parses the next request from {@code in}: {@link #COMMAND}, {@link #NEED_MORE} or
     * {@link #ERROR}. Empty requests ({@code *0}, {@code *-1}, blank inline lines) are skipped.
     */
    public int parse(Reader in) throws IOException {
        if (error != null) {
            return ERROR;
        }
        if (multibulkRemaining == 0 && bulkLength == -1) {
            clearArgs();
        }
        while (true) {
            if (multibulkRemaining == 0) {
                int len = in.len();
                if (len == 0) {
                    return NEED_MORE;
                }
                // One view per command: the reader caches a few views between releases, more allocate.
                int window = Math.min(len, FAST_WINDOW);
                ByteBuffer v = in.peek(window);
                int r;
                if (v.get(v.position()) == '*') {
                    if (parseWhole(in, v, window)) {
                        return COMMAND;
                    }
                    r = readMultibulkHeader(in);
                } else {
                    r = readInline(in, v, window);
                }
                if (r != COMMAND) {
                    return r;
                }
                if (multibulkRemaining == 0) {
                    if (argc > 0) {
                        return COMMAND; // an inline command
                    }
                    continue; // an empty request: nothing to execute, no reply
                }
            }
            while (multibulkRemaining > 0) {
                int r = readBulk(in);
                if (r != COMMAND) {
                    return r;
                }
            }
            return COMMAND;
        }
    }

    /**
     * The fast path: parses a whole, valid, small multibulk command from one {@link Reader#peek}
     * window and takes it with one {@link Reader#skip}: three reader calls per command instead of
     * five per argument. The window is copied once into {@link #scratch} (a bulk copy out of the
     * reader's direct memory, then plain array reads, instead of a bounds-checked buffer read per
     * byte). Returns false, having taken nothing, for anything else (an incomplete, large, empty,
     * inline or malformed request), which the incremental path then handles, so both paths give
     * the same results.
     */
    private boolean parseWhole(Reader in, ByteBuffer v, int size) throws IOException {
        if (size < 4) {
            return false;
        }
        byte[] w = scratch;
        v.get(v.position(), w, 0, size);
        long n = number(w, 1, size);
        if (n <= 0 || n > limits.maxArrayLength() || n > size / 6) {
            return false; // *0 and *-1 (skipped), errors, and commands too big for the window
        }
        int p = 1 + numberLength + 2;
        for (int i = 0; i < n; i++) {
            if (p >= size || w[p] != '$') {
                clearArgs();
                return false;
            }
            long len = number(w, p + 1, size);
            if (len < 0 || len > limits.maxBulkLength()) {
                clearArgs();
                return false;
            }
            p += 1 + numberLength + 2;
            int length = (int) len;
            if (p + length + 2 > size || w[p + length] != '\r' || w[p + length + 1] != '\n') {
                clearArgs();
                return false;
            }
            byte[] arg = newArg(argc, length);
            System.arraycopy(w, p, arg, 0, length);
            addArg(arg);
            p += length + 2;
        }
        in.skip(p);
        return true;
    }

    /** Digits of the last {@link #number} (to skip them). */
    private int numberLength;

    /**
     * A non-negative decimal without leading zeros ending with CRLF at {@code from}, within
     * {@code end}; -1 if it is anything else (negative, too long, incomplete...).
     */
    private long number(byte[] w, int from, int end) {
        long n = 0;
        int p = from;
        while (p < end) {
            int d = w[p] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            n = n * 10 + d;
            p++;
        }
        int digits = p - from;
        if (digits == 0
                || digits > 9
                || (digits > 1 && w[from] == '0')
                || p + 1 >= end
                || w[p] != '\r'
                || w[p + 1] != '\n') {
            return -1;
        }
        numberLength = digits;
        return n;
    }

    private int readMultibulkHeader(Reader in) throws IOException {
        int nl = lineEnd(in, "Protocol error: too big mbulk count string");
        if (nl < 0) {
            return nl == -1 ? NEED_MORE : ERROR;
        }
        long n;
        try {
            n = parseLine(in, nl);
        } catch (KvException e) {
            return fail("Protocol error: invalid multibulk length");
        }
        if (n > Integer.MAX_VALUE) {
            return fail("Protocol error: invalid multibulk length");
        }
        if (n > limits.maxArrayLength()) {
            return fail("Protocol error: invalid multibulk length");
        }
        in.skip(nl + 1);
        multibulkRemaining = n <= 0 ? 0 : (int) n;
        argBytes = 0;
        return COMMAND;
    }

    private int readBulk(Reader in) throws IOException {
        if (bulkLength < 0) {
            if (in.len() == 0) {
                return needMore(in);
            }
            ByteBuffer b = in.peek(1);
            byte first = b.get(b.position());
            if (first != '$') {
                return fail("Protocol error: expected '$', got '" + (char) (first & 0xff) + "'");
            }
            int nl = lineEnd(in, "Protocol error: too big bulk count string");
            if (nl < 0) {
                return nl == -1 ? needMore(in) : ERROR;
            }
            long n;
            try {
                n = parseLine(in, nl);
            } catch (KvException e) {
                return fail("Protocol error: invalid bulk length");
            }
            if (n < 0 || n > limits.maxBulkLength()) {
                return fail("Protocol error: invalid bulk length");
            }
            if (argBytes + n > limits.maxQueryBytes()) {
                return fail("Protocol error: query buffer limit exceeded");
            }
            in.skip(nl + 1);
            bulkLength = (int) n;
        }
        byte[] arg;
        if (partial == null && in.len() >= bulkLength + 2) {
            arg = in.readBinary(bulkLength);
        } else {
            // Not all there: take what has arrived, so that the connection's input buffer never
            // has to hold a whole large argument, and memory grows with the bytes received, not
            // with the length a client announces.
            accumulate(in);
            if (partialLength < bulkLength || in.len() < 2) {
                return needMore(in);
            }
            arg = partial.length == bulkLength ? partial : Arrays.copyOf(partial, bulkLength);
            partial = null;
            partialLength = 0;
        }
        ByteBuffer crlf = in.next(2);
        int p = crlf.position();
        if (crlf.get(p) != '\r' || crlf.get(p + 1) != '\n') {
            return fail("Protocol error: expected CRLF after bulk data");
        }
        addArg(arg);
        argBytes += bulkLength;
        bulkLength = -1;
        multibulkRemaining--;
        return COMMAND;
    }

    /** An inline command; {@code v} shows the first {@code window} readable bytes (the line, when it is short). */
    private int readInline(Reader in, ByteBuffer v, int window) throws IOException {
        int nl = indexOf(v, window, (byte) '\n');
        ByteBuffer line = v;
        if (nl < 0 && window < in.len()) {
            nl = in.indexOf((byte) '\n');
            line = null;
        }
        if (nl < 0) {
            // One more than the limit: the line may still end with CR LF. The same bound applies
            // with and without the LF, so the outcome does not depend on how the input is cut.
            if (in.len() > limits.maxInlineLength() + 1) {
                return fail("Protocol error: too big inline request");
            }
            return NEED_MORE;
        }
        if (nl > limits.maxInlineLength() + 1) {
            return fail("Protocol error: too big inline request");
        }
        int lineLength = nl;
        if (line == null) {
            line = in.peek(nl + 1);
        }
        int from = line.position();
        if (lineLength > 0 && line.get(from + lineLength - 1) == '\r') {
            lineLength--;
        }
        if (lineLength > limits.maxInlineLength()) {
            return fail("Protocol error: too big inline request");
        }
        inline.clear();
        if (!InlineSplitter.split(line, from, from + lineLength, inline, this)) {
            return fail("Protocol error: unbalanced quotes in request");
        }
        in.skip(nl + 1);
        for (int i = 0; i < inline.size(); i++) { // indexed: no iterator per command
            addArg(inline.get(i));
        }
        inline.clear();
        return COMMAND;
    }

    /** Offset of the first {@code b} in the {@code window} bytes of {@code v} from its position, or -1. */
    private static int indexOf(ByteBuffer v, int window, byte b) {
        int base = v.position();
        for (int i = 0; i < window; i++) {
            if (v.get(base + i) == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Offset of the {@code \n} ending the header line, -1 if it has not arrived, -2 after
     * failing with {@code tooBig}: a line longer than the inline limit (whether or not its end
     * has arrived).
     */
    private int lineEnd(Reader in, String tooBig) {
        int nl = in.indexOf((byte) '\n');
        if (nl < 0 ? in.len() > limits.maxInlineLength() + 1 : nl > limits.maxInlineLength() + 1) {
            fail(tooBig);
            return -2;
        }
        return nl;
    }

    /** The number between the type byte and the CRLF of the line ending at {@code nl}. */
    private static long parseLine(Reader in, int nl) throws IOException {
        if (nl < 2 || nl > 22) {
            throw KvException.NOT_INTEGER;
        }
        ByteBuffer line = in.peek(nl + 1);
        int p = line.position();
        if (line.get(p + nl - 1) != '\r') {
            throw KvException.NOT_INTEGER;
        }
        return Numbers.parseLong(line, p + 1, p + nl - 1);
    }

    /** Copies what has arrived of the current bulk argument into {@link #partial}, piece by piece. */
    private void accumulate(Reader in) throws IOException {
        if (partial == null) {
            partial = new byte[Math.min(bulkLength, PARTIAL_START)];
        }
        while (partialLength < bulkLength && in.len() > 0) {
            int k = Math.min(Math.min(bulkLength - partialLength, in.len()), PIECE);
            if (partialLength + k > partial.length) {
                int capacity = (int) Math.min(bulkLength, Math.max((long) partialLength + k, 2L * partial.length));
                partial = Arrays.copyOf(partial, capacity);
            }
            ByteBuffer piece = in.next(k);
            piece.get(piece.position(), partial, partialLength, k);
            partialLength += k;
            in.release(); // frees the nodes read so far (and scratch memory of pieces that spanned nodes)
        }
    }

    private int needMore(Reader in) {
        if (argBytes + partialLength + in.len() > limits.maxQueryBytes()) {
            return fail("Protocol error: query buffer limit exceeded");
        }
        return NEED_MORE;
    }

    private void addArg(byte[] arg) {
        if (argc == argv.length) {
            argv = Arrays.copyOf(argv, argc * 2);
        }
        argv[argc++] = arg;
    }

    private void clearArgs() {
        if (argv.length > RETAINED_ARGV) {
            argv = new byte[16][];
        } else {
            Arrays.fill(argv, 0, argc, null);
        }
        argc = 0;
    }

    private int fail(String message) {
        error = "ERR " + message;
        partial = null;
        partialLength = 0;
        multibulkRemaining = 0;
        bulkLength = -1;
        clearArgs();
        argv = NO_ARGS;
        return ERROR;
    }
}
