package io.netpoll.benchmarks.soak;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal blocking RESP2 client, enough to verify SET, GET, INCR, DEL and PING byte for byte:
 * commands are queued with {@link #command} (or {@link #begin} and {@link #arg}) and sent together by {@link #flush} (pipelining), and
 * each {@code expect*} method reads the next reply and throws {@link VerificationException} if it
 * is not exactly the expected one.
 *
 * <p>Not thread-safe: one thread owns a connection. I/O errors and timeouts (the socket's read
 * timeout) surface as {@link IOException}.
 */
final class RespConnection implements Closeable {

    private static final byte[] CRLF = {'\r', '\n'};

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private byte[] pending = new byte[8192];
    private int pendingLength;
    private byte[] bulk = new byte[8192];

    RespConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = socket.getOutputStream();
    }

    /** Queues one command (a RESP array of bulk strings). */
    RespConnection command(byte[]... args) {
        header('*', args.length);
        for (byte[] arg : args) {
            bulkString(arg, arg.length);
        }
        return this;
    }

    /** Starts queuing a command of {@code argc} arguments; follow with exactly that many {@link #arg} calls. */
    RespConnection begin(int argc) {
        header('*', argc);
        return this;
    }

    /** Queues one argument of the command started by {@link #begin}: {@code b[0..length)}. */
    RespConnection arg(byte[] b, int length) {
        bulkString(b, length);
        return this;
    }

    RespConnection arg(byte[] b) {
        return arg(b, b.length);
    }

    /** Sends every queued command in one write. */
    void flush() throws IOException {
        out.write(pending, 0, pendingLength);
        pendingLength = 0;
    }

    void expectSimple(String expected) throws IOException, VerificationException {
        String line = reply('+');
        if (!line.equals(expected)) {
            throw new VerificationException("expected +" + expected + ", got +" + line);
        }
    }

    long readInteger() throws IOException, VerificationException {
        String line = reply(':');
        try {
            return Long.parseLong(line);
        } catch (NumberFormatException e) {
            throw new VerificationException("not an integer reply: :" + line);
        }
    }

    void expectInteger(long expected) throws IOException, VerificationException {
        long got = readInteger();
        if (got != expected) {
            throw new VerificationException("expected :" + expected + ", got :" + got);
        }
    }

    /** Reads a bulk string reply and checks it is {@code expected[0..length)}, byte for byte. */
    void expectBulk(byte[] expected, int length) throws IOException, VerificationException {
        int n = readBulkLength();
        if (n != length) {
            throw new VerificationException("expected a bulk string of " + length + " bytes, got $" + n);
        }
        if (bulk.length < n) {
            bulk = new byte[Math.max(n, bulk.length * 2)];
        }
        EchoWorkload.readFully(in, bulk, n);
        readCrlf();
        int at = Arrays.mismatch(expected, 0, n, bulk, 0, n);
        if (at >= 0) {
            throw new VerificationException("bulk string of " + n + " bytes differs at byte " + at);
        }
    }

    void expectNil() throws IOException, VerificationException {
        int n = readBulkLength();
        if (n != -1) {
            throw new VerificationException("expected a nil bulk string, got $" + n);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private int readBulkLength() throws IOException, VerificationException {
        String line = reply('$');
        try {
            return Integer.parseInt(line);
        } catch (NumberFormatException e) {
            throw new VerificationException("not a bulk length: $" + line);
        }
    }

    /** Reads one reply line of the given type; an error reply or another type is a verification failure. */
    private String reply(char type) throws IOException, VerificationException {
        int t = in.read();
        if (t < 0) {
            throw new VerificationException("connection closed while waiting for a reply");
        }
        String line = readLine();
        if (t != type) {
            throw new VerificationException("expected a '" + type + "' reply, got '" + (char) t + line + "'");
        }
        return line;
    }

    private String readLine() throws IOException, VerificationException {
        StringBuilder sb = new StringBuilder(16);
        for (int i = 0; i < 64 * 1024; i++) {
            int c = in.read();
            if (c < 0) {
                throw new VerificationException("connection closed inside a reply line");
            }
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new VerificationException("CR not followed by LF in a reply line");
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
        throw new VerificationException("reply line longer than 64 KiB");
    }

    private void readCrlf() throws IOException, VerificationException {
        if (in.read() != '\r' || in.read() != '\n') {
            throw new VerificationException("bulk string not followed by CRLF");
        }
    }

    private void bulkString(byte[] b, int length) {
        header('$', length);
        append(b, length);
        append(CRLF, 2);
    }

    private void header(char type, long n) {
        byte[] digits = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
        ensure(1);
        pending[pendingLength++] = (byte) type;
        append(digits, digits.length);
        append(CRLF, 2);
    }

    private void append(byte[] b, int length) {
        ensure(length);
        System.arraycopy(b, 0, pending, pendingLength, length);
        pendingLength += length;
    }

    private void ensure(int more) {
        if (pendingLength + more > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + more));
        }
    }
}
