package io.netpoll.faults;

import io.netpoll.Connection;
import io.netpoll.HandlerMode;
import io.netpoll.OnRequest;
import io.netpoll.Option;
import io.netpoll.ServerOption;
import io.netpoll.buffer.Reader;
import io.netpoll.buffer.Writer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * The fault scenarios' protocol: a frame is a 2-byte big-endian length then that many bytes
 * (at most {@link #MAX_FRAME}); the server echoes every frame whole. A longer length is a
 * protocol error: the handler throws {@link FrameTooLargeException}, which closes the connection.
 *
 * <p>Three servers speak it, one per {@link Mode}: a blocking handler that waits in
 * {@code next(n)} for the rest of a frame, on the worker pool ({@link HandlerMode#WORKER}) and in
 * the default adaptive mode (on the poller's role, handed to a spare thread before each wait), and
 * a non-blocking inline handler on the poller that peeks and returns until a frame is complete.
 * Together they cover every handler mode and both ways a netpoll handler meets a peer that
 * misbehaves mid-frame.
 */
final class Frames {
    static final int MAX_FRAME = 1024;

    private Frames() {}

    enum Mode {
        /** Worker pool ({@link HandlerMode#WORKER}); the handler blocks in {@code next(n)} until the frame is complete. */
        BLOCKING_WORKER,
        /**
         * Adaptive (the default): the handler runs on the thread holding the poller's role and
         * blocks in {@code next(n)}, handing the role to a spare thread first.
         */
        BLOCKING_ADAPTIVE,
        /** Poller thread; the handler never waits and returns while a frame is incomplete. */
        NON_BLOCKING_INLINE;

        OnRequest handler() {
            return this == NON_BLOCKING_INLINE ? Frames::nonBlockingEcho : Frames::blockingEcho;
        }

        /** {@code more}, then the option that selects this mode's handler mode (stated even for the default). */
        ServerOption[] options(ServerOption... more) {
            ServerOption[] all = Arrays.copyOf(more, more.length + 1);
            all[more.length] = switch (this) {
                case BLOCKING_WORKER -> Option.handlerMode(HandlerMode.WORKER);
                case BLOCKING_ADAPTIVE -> Option.handlerMode(HandlerMode.ADAPTIVE);
                case NON_BLOCKING_INLINE -> Option.inlineHandlers();
            };
            return all;
        }
    }

    static final class FrameTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        FrameTooLargeException(int length) {
            super("frame of " + length + " bytes, more than " + MAX_FRAME + " (expected by the test)");
        }
    }

    /** One frame per call; waits for the rest of a frame. */
    static void blockingEcho(Object ctx, Connection c) throws IOException {
        Reader r = c.reader();
        ByteBuffer header = r.next(2);
        int n = header.getShort(header.position()) & 0xffff;
        if (n > MAX_FRAME) {
            throw new FrameTooLargeException(n);
        }
        Writer w = c.writer();
        w.writeByte((byte) (n >>> 8));
        w.writeByte((byte) n);
        if (n > 0) {
            w.append(r.slice(n));
        }
        w.flush();
    }

    /** Every complete frame, then returns; never waits. */
    static void nonBlockingEcho(Object ctx, Connection c) throws IOException {
        Reader r = c.reader();
        Writer w = c.writer();
        boolean wrote = false;
        try {
            while (r.len() >= 2) {
                ByteBuffer header = r.peek(2);
                int n = header.getShort(header.position()) & 0xffff;
                if (n > MAX_FRAME) {
                    throw new FrameTooLargeException(n);
                }
                if (r.len() < 2 + n) {
                    break;
                }
                w.append(r.slice(2 + n));
                wrote = true;
            }
        } finally {
            if (wrote) {
                w.flush();
            }
        }
    }

    static byte[] frame(byte[] body) {
        byte[] f = new byte[2 + body.length];
        f[0] = (byte) (body.length >>> 8);
        f[1] = (byte) body.length;
        System.arraycopy(body, 0, f, 2, body.length);
        return f;
    }

    static byte[] frame(int length, Random random) {
        byte[] body = new byte[length];
        random.nextBytes(body);
        return frame(body);
    }

    /** What the server answers to {@code stream} before it closes. */
    record Expected(byte[] replies, boolean protocolError) {}

    static Expected expect(byte[] stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (stream.length - pos >= 2) {
            int n = ((stream[pos] & 0xff) << 8) | (stream[pos + 1] & 0xff);
            if (n > MAX_FRAME) {
                return new Expected(out.toByteArray(), true);
            }
            if (stream.length - pos - 2 < n) {
                break;
            }
            out.write(stream, pos, 2 + n);
            pos += 2 + n;
        }
        return new Expected(out.toByteArray(), false);
    }

    /** One round trip of a valid frame on {@code s}: true if the echo came back exactly. */
    static boolean roundTrip(Socket s, byte[] body) throws IOException {
        byte[] f = frame(body);
        s.getOutputStream().write(f);
        return Arrays.equals(s.getInputStream().readNBytes(f.length), f);
    }

    /** A fresh client is served correctly: connect, one round trip, close. */
    static boolean freshClientServed(int port, int seed) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);
            byte[] body = new byte[1 + Math.floorMod(seed, MAX_FRAME)];
            new Random(seed).nextBytes(body);
            return roundTrip(s, body);
        }
    }
}
