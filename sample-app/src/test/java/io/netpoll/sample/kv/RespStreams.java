package io.netpoll.sample.kv;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Request streams for fuzzing the key-value server, and the oracles that judge its replies:
 * shared by {@link RespFuzzTests} (no network) and the sample's network fault tests
 * ({@code io.netpoll.sample.faults}). Stateless; thread-safe.
 */
public final class RespStreams {

    static final String[] COMMANDS = {
        "SET", "GET", "DEL", "EXISTS", "INCR", "INCRBY", "DECR", "DECRBY", "MGET", "MSET", "APPEND", "STRLEN", "EXPIRE",
        "PEXPIRE", "TTL", "PTTL", "PERSIST", "DBSIZE", "PING", "ECHO", "CONFIG", "CLIENT", "COMMAND", "HELLO", "SELECT",
        "FLUSHDB", "NOPE", "QUIT"
    };
    static final String[] WORDS = {
        "k",
        "v",
        "1",
        "-1",
        "0",
        "10",
        "EX",
        "PX",
        "NX",
        "XX",
        "GET",
        "KEEPTTL",
        "GT",
        "LT",
        "9223372036854775807",
        "-9223372036854775808",
        "abc",
        "",
        "GETNAME",
        "SETNAME",
        "ID",
        "COUNT",
        "INFO",
        "DOCS",
        "save",
        "*",
        "3",
        "2",
        "\r\n",
        "\0",
        "\"",
        "'"
    };

    private RespStreams() {}

    /** Replies of a fresh key-value server with {@code limits} to {@code stream} sent whole, and whether it then closed. */
    public static Replies expectedReplies(byte[] stream, RespLimits limits) {
        try (KvHarness kv = new KvHarness(limits)) {
            String replies = kv.send(stream);
            return new Replies(replies, !kv.open);
        }
    }

    /** What a server answered, and whether it closed the connection afterwards. */
    public record Replies(String text, boolean closed) {}

    /** {@code s} with control and non-ASCII characters escaped, for failure messages. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return b.toString();
    }

    /** A stream of one to six commands, multibulk or inline, from the command and word lists. */
    public static byte[] validStream(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int commands = 1 + random.nextInt(6);
        for (int c = 0; c < commands; c++) {
            int argc = 1 + random.nextInt(5);
            String[] args = new String[argc];
            args[0] = COMMANDS[random.nextInt(COMMANDS.length)];
            for (int i = 1; i < argc; i++) {
                args[i] = WORDS[random.nextInt(WORDS.length)];
            }
            if (random.nextInt(5) == 0) {
                out.writeBytes((String.join(" ", args) + (random.nextBoolean() ? "\r\n" : "\n"))
                        .getBytes(StandardCharsets.ISO_8859_1));
            } else {
                out.writeBytes(KvHarness.encode(args));
            }
        }
        return out.toByteArray();
    }

    /** {@code in} with up to three random mutations (bytes changed, removed, inserted; the stream cut). */
    public static byte[] mutate(Random random, byte[] in) {
        byte[] b = in.clone();
        int mutations = random.nextInt(4);
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] = (byte) random.nextInt(256);
                case 1 -> b[at] = (byte) "*$\r\n-0123456789:+\"' ".charAt(random.nextInt(20));
                case 2 -> b = splice(b, at, random.nextInt(Math.min(8, b.length - at) + 1), new byte[0]);
                case 3 -> {
                    byte[] junk = new byte[1 + random.nextInt(8)];
                    random.nextBytes(junk);
                    b = splice(b, at, 0, junk);
                }
                case 4 -> b = java.util.Arrays.copyOf(b, at);
                default -> {
                    byte[] digits = Long.toString(random.nextLong()).getBytes(StandardCharsets.US_ASCII);
                    b = splice(b, at, 0, digits);
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(b, 0, at);
        o.writeBytes(insert);
        o.write(b, at + remove, b.length - at - remove);
        return o.toByteArray();
    }

    /** Every reply is a complete RESP2 value, with nothing left over. */
    public static void assertWellFormed(String replies) {
        int[] pos = {0};
        while (pos[0] < replies.length()) {
            value(replies, pos);
        }
    }

    private static void value(String s, int[] pos) {
        char type = s.charAt(pos[0]);
        int eol = s.indexOf("\r\n", pos[0]);
        assertThat(eol).as("line end in %s", s).isPositive();
        String line = s.substring(pos[0] + 1, eol);
        pos[0] = eol + 2;
        switch (type) {
            case '+', '-' -> assertThat(line).doesNotContain("\r", "\n");
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int n = Integer.parseInt(line);
                if (n >= 0) {
                    assertThat(s.substring(pos[0] + n, pos[0] + n + 2)).isEqualTo("\r\n");
                    pos[0] += n + 2;
                } else {
                    assertThat(n).isEqualTo(-1);
                }
            }
            case '*' -> {
                int n = Integer.parseInt(line);
                for (int i = 0; i < n; i++) {
                    value(s, pos);
                }
            }
            default -> fail("not a RESP2 type: " + type + " in " + s);
        }
    }
}
