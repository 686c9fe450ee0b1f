package io.netpoll.sample.kv;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Splits an inline command line into arguments exactly as Redis's {@code sdssplitargs} does:
 * blanks separate arguments; {@code "..."} understands {@code \n \r \t \b \a \xHH} and
 * {@code \<any>}; {@code '...'} understands {@code \'}; a closing quote must be followed by a
 * blank or the end. A NUL byte outside quotes ends the line (Redis reads the line as a C string).
 */
final class InlineSplitter {

    private InlineSplitter() {}

    /**
     * Splits bytes {@code [from, to)} of {@code line} (absolute indexes) into {@code out}.
     * Returns false on unbalanced quotes.
     */
    static boolean split(ByteBuffer line, int from, int to, List<byte[]> out) {
        return split(line, from, to, out, null);
    }

    /** As {@link #split(ByteBuffer, int, int, List)}; plain tokens go into arrays {@code parser} recycles (if not null). */
    static boolean split(ByteBuffer line, int from, int to, List<byte[]> out, RespParser parser) {
        if (isPlain(line, from, to)) {
            splitPlain(line, from, to, out, parser);
            return true;
        }
        return splitQuoted(line, from, to, out);
    }

    /** No quotes and no NUL: what redis-benchmark and most typed commands send. */
    private static boolean isPlain(ByteBuffer line, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = line.get(i);
            if (c == '"' || c == '\'' || c == 0) {
                return false;
            }
        }
        return true;
    }

    /** The split of a plain line without the quoting state machine: tokens copied as they are. */
    private static void splitPlain(ByteBuffer line, int from, int to, List<byte[]> out, RespParser parser) {
        int p = from;
        while (true) {
            while (p < to && isSpace(line.get(p) & 0xff)) {
                p++;
            }
            if (p >= to) {
                return;
            }
            int start = p;
            while (p < to && !endsToken(line.get(p))) {
                p++;
            }
            byte[] arg = parser == null ? new byte[p - start] : parser.newArg(out.size(), p - start);
            for (int i = 0; i < arg.length; i++) { // tokens are short: a loop beats a bulk get here
                arg[i] = line.get(start + i);
            }
            out.add(arg);
        }
    }

    /** sdssplitargs' unquoted token ends at these (not at every isspace: VT and FF stay in it). */
    private static boolean endsToken(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    /** The general split, byte for byte Redis' {@code sdssplitargs}. */
    static boolean splitQuoted(ByteBuffer line, int from, int to, List<byte[]> out) {
        int p = from;
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        while (true) {
            while (p < to && isSpace(at(line, p, to))) {
                p++;
            }
            if (p >= to || at(line, p, to) == 0) {
                return true;
            }
            boolean inq = false;
            boolean insq = false;
            boolean done = false;
            current.reset();
            while (!done) {
                int c = at(line, p, to);
                if (inq) {
                    if (c == '\\'
                            && at(line, p + 1, to) == 'x'
                            && isHex(at(line, p + 2, to))
                            && isHex(at(line, p + 3, to))) {
                        current.write(hex(at(line, p + 2, to)) * 16 + hex(at(line, p + 3, to)));
                        p += 3;
                    } else if (c == '\\' && at(line, p + 1, to) != 0) {
                        p++;
                        int e = at(line, p, to);
                        switch (e) {
                            case 'n' -> current.write('\n');
                            case 'r' -> current.write('\r');
                            case 't' -> current.write('\t');
                            case 'b' -> current.write('\b');
                            case 'a' -> current.write(7);
                            default -> current.write(e);
                        }
                    } else if (c == '"') {
                        int n = at(line, p + 1, to);
                        if (n != 0 && !isSpace(n)) {
                            return false;
                        }
                        done = true;
                    } else if (c == 0) {
                        return false;
                    } else {
                        current.write(c);
                    }
                } else if (insq) {
                    if (c == '\\' && at(line, p + 1, to) == '\'') {
                        p++;
                        current.write('\'');
                    } else if (c == '\'') {
                        int n = at(line, p + 1, to);
                        if (n != 0 && !isSpace(n)) {
                            return false;
                        }
                        done = true;
                    } else if (c == 0) {
                        return false;
                    } else {
                        current.write(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inq = true;
                        case '\'' -> insq = true;
                        default -> current.write(c);
                    }
                }
                if (p < to && at(line, p, to) != 0) {
                    p++;
                } else if (p < to) {
                    // A NUL: C's *p is false, the pointer stays, and the outer loop ends.
                    to = p;
                }
            }
            out.add(current.toByteArray());
        }
    }

    /** The byte at {@code i}, or 0 past the end (C's terminating NUL). */
    private static int at(ByteBuffer b, int i, int to) {
        return i < to ? b.get(i) & 0xff : 0;
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(int c) {
        if (c <= '9') {
            return c - '0';
        }
        return (c | 0x20) - 'a' + 10;
    }
}
