package io.netpoll.codec;

import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Splits a byte stream into frames that carry their length in a header field, with the
 * parameters (and the arithmetic) of Netty's {@code LengthFieldBasedFrameDecoder}:
 * <pre>
 * frameLength = lengthFieldValue + lengthAdjustment + lengthFieldOffset + lengthFieldLength
 * returned    = the frame's bytes after the first initialBytesToStrip
 * </pre>
 * The length field is {@code lengthFieldLength} (1, 2, 3, 4 or 8) bytes at
 * {@code lengthFieldOffset}, unsigned, in {@code order}. Examples: a 4-byte big-endian length
 * prefix that counts the body only and is stripped: {@code (max, 0, 4, 0, 4)}; the same length
 * counting itself too: {@code (max, 0, 4, -4, 4)}.
 *
 * <p>Two forms, as {@link LineFrameDecoder}: {@link #nextFrame}/{@link #nextFrameSlice} block until
 * the frame is whole (bounded by the connection's read timeout); {@link #tryNextFrame}/
 * {@link #tryNextFrameSlice} return {@code null} until then and never wait. Nothing is taken
 * before the whole frame is readable, so the non-blocking forms keep no bytes of their own (the
 * decoder only remembers the length it decoded from a header it has seen).
 *
 * <h2>Ownership</h2>
 * A view is valid until the reader's next {@code release()} (one memory node: no copy; spanning
 * nodes: copied once into pooled scratch memory). A slice shares the input's memory, belongs to
 * the caller (release, close or append it) and slicing performs the reader's {@code release()}.
 *
 * <h2>Errors</h2>
 * A frame longer than {@code maxFrameLength} gets {@link TooLongFrameException} as soon as its
 * header is readable (before any of its body is waited for, so a peer cannot make the
 * connection buffer more than the maximum); a length that cannot be valid gets
 * {@link CorruptFrameException}. Both leave the stream unreadable: let them escape from the
 * handler so the connection is closed.
 *
 * <h2>Threading</h2>
 * One decoder per connection (or stream), used by its reading thread; not thread-safe. The
 * configuration is immutable.
 */
public final class LengthFieldFrameDecoder {
    private final int maxFrameLength;
    private final int lengthFieldOffset;
    private final int lengthFieldLength;
    private final int lengthAdjustment;
    private final int initialBytesToStrip;
    private final boolean bigEndian;
    private final int headerEnd;
    /** The length of the frame whose header was decoded but whose body has not fully arrived, or -1. */
    private int frameLength = -1;
    /** Whether the bytes to strip of that frame were already dropped (a blocking call that timed out). */
    private boolean stripped;

    /** Big-endian, as Netty's default. */
    public LengthFieldFrameDecoder(
            int maxFrameLength,
            int lengthFieldOffset,
            int lengthFieldLength,
            int lengthAdjustment,
            int initialBytesToStrip) {
        this(
                maxFrameLength,
                lengthFieldOffset,
                lengthFieldLength,
                lengthAdjustment,
                initialBytesToStrip,
                ByteOrder.BIG_ENDIAN);
    }

    public LengthFieldFrameDecoder(
            int maxFrameLength,
            int lengthFieldOffset,
            int lengthFieldLength,
            int lengthAdjustment,
            int initialBytesToStrip,
            ByteOrder order) {
        if (maxFrameLength <= 0) {
            throw new IllegalArgumentException("maxFrameLength must be positive: " + maxFrameLength);
        }
        if (lengthFieldOffset < 0) {
            throw new IllegalArgumentException("lengthFieldOffset must not be negative: " + lengthFieldOffset);
        }
        if (initialBytesToStrip < 0) {
            throw new IllegalArgumentException("initialBytesToStrip must not be negative: " + initialBytesToStrip);
        }
        switch (lengthFieldLength) {
            case 1, 2, 3, 4, 8 -> {}
            default ->
                throw new IllegalArgumentException("lengthFieldLength must be 1, 2, 3, 4 or 8: " + lengthFieldLength);
        }
        if (lengthFieldOffset > maxFrameLength - lengthFieldLength) {
            throw new IllegalArgumentException(
                    "maxFrameLength (" + maxFrameLength + ") must be at least lengthFieldOffset + lengthFieldLength ("
                            + (lengthFieldOffset + lengthFieldLength) + ")");
        }
        this.maxFrameLength = maxFrameLength;
        this.lengthFieldOffset = lengthFieldOffset;
        this.lengthFieldLength = lengthFieldLength;
        this.lengthAdjustment = lengthAdjustment;
        this.initialBytesToStrip = initialBytesToStrip;
        this.bigEndian = order == ByteOrder.BIG_ENDIAN;
        this.headerEnd = lengthFieldOffset + lengthFieldLength;
    }

    /** A 4-byte big-endian length prefix counting the body only, stripped from the frame. */
    public static LengthFieldFrameDecoder lengthPrefixed(int maxFrameLength) {
        return new LengthFieldFrameDecoder(maxFrameLength, 0, 4, 0, 4);
    }

    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * Returns the next frame (after stripping) as a view, waiting until it is whole.
     *
     * @throws TooLongFrameException when the header declares more than the maximum
     * @throws CorruptFrameException when the header cannot be valid
     * @throws IOException the reader's errors while waiting (closed, read timeout; after a read
     *         timeout the decoder and the reader are still consistent and the call may be retried)
     */
    public ByteBuffer nextFrame(Reader reader) throws IOException {
        int n = awaitFrame(reader);
        return take(reader, n);
    }

    /** Returns the next frame as a view, or {@code null} while it has not fully arrived. */
    public @Nullable ByteBuffer tryNextFrame(Reader reader) throws IOException {
        int n = readyFrame(reader);
        return n < 0 ? null : take(reader, n);
    }

    /** Returns the next frame as a slice owned by the caller, waiting until it is whole. */
    public LinkBuffer nextFrameSlice(Reader reader) throws IOException {
        int n = awaitFrame(reader);
        return takeSlice(reader, n);
    }

    /** Returns the next frame as a slice owned by the caller, or {@code null} while it has not fully arrived. */
    public @Nullable LinkBuffer tryNextFrameSlice(Reader reader) throws IOException {
        int n = readyFrame(reader);
        return n < 0 ? null : takeSlice(reader, n);
    }

    // ------------------------------------------------------------------------------------------

    private ByteBuffer take(Reader reader, int n) throws IOException {
        stripHeader(reader);
        ByteBuffer frame = reader.next(n - initialBytesToStrip); // a connection's reader waits here
        frameLength = -1;
        stripped = false;
        return frame;
    }

    private LinkBuffer takeSlice(Reader reader, int n) throws IOException {
        stripHeader(reader);
        LinkBuffer frame = reader.slice(n - initialBytesToStrip);
        frameLength = -1;
        stripped = false;
        return frame;
    }

    /** Drops the bytes to strip, once per frame (a read timeout after it must not drop them again). */
    private void stripHeader(Reader reader) throws IOException {
        if (!stripped && initialBytesToStrip > 0) {
            reader.skip(initialBytesToStrip);
        }
        stripped = true;
    }

    private int awaitFrame(Reader reader) throws IOException {
        if (frameLength < 0) {
            frameLength = decode(reader.peek(headerEnd)); // waits for the header only
        }
        return frameLength;
    }

    private int readyFrame(Reader reader) throws IOException {
        if (frameLength < 0) {
            if (reader.len() < headerEnd) {
                return -1;
            }
            frameLength = decode(reader.peek(headerEnd));
        }
        int missing = frameLength - (stripped ? initialBytesToStrip : 0);
        return reader.len() >= missing ? frameLength : -1;
    }

    private int decode(ByteBuffer header) throws IOException {
        int base = header.position() + lengthFieldOffset;
        long value = 0;
        for (int i = 0; i < lengthFieldLength; i++) {
            int b = header.get(base + (bigEndian ? i : lengthFieldLength - 1 - i)) & 0xff;
            value = (value << 8) | b;
        }
        if (value < 0) {
            throw new CorruptFrameException("negative length field: " + value);
        }
        long length = value + lengthAdjustment + headerEnd;
        if (length < headerEnd) {
            throw new CorruptFrameException(
                    "frame length " + length + " is shorter than its header (" + headerEnd + " bytes)");
        }
        if (length > maxFrameLength) {
            throw new TooLongFrameException(
                    "frame of " + length + " bytes is longer than the maximum of " + maxFrameLength);
        }
        if (length < initialBytesToStrip) {
            throw new CorruptFrameException(
                    "frame length " + length + " is shorter than the " + initialBytesToStrip + " bytes to strip");
        }
        return (int) length;
    }
}
