package io.netpoll.codec;

import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Splits a byte stream into lines ending in {@code \n} or {@code \r\n}; the frames it returns
 * exclude the delimiter. A zero-copy helper over a {@link Reader} (a connection's or a standalone
 * {@link LinkBuffer}), in two forms:
 * <ul>
 *   <li>{@link #nextFrame}/{@link #nextFrameSlice} <b>block</b> until a whole line has arrived
 *       (for handlers on the worker pool or your own threads; the connection's read timeout
 *       bounds the wait, its {@code ReadTimeoutException} leaves the decoder usable);</li>
 *   <li>{@link #tryNextFrame}/{@link #tryNextFrameSlice} <b>never wait</b>: they return
 *       {@code null} until the line is whole (for inline handlers and parsers; the connection
 *       calls the handler again when more bytes arrive).</li>
 * </ul>
 *
 * <h2>Ownership</h2>
 * A <em>view</em> ({@code nextFrame}, {@code tryNextFrame}) is a {@link ByteBuffer} whose
 * {@code [position, limit)} are the line's bytes; it is valid until the reader's next
 * {@code release()} or the next call on this decoder, whichever comes first (a line inside one
 * memory node is not copied; one that spans nodes is copied once into pooled scratch memory). A
 * <em>slice</em> ({@code nextFrameSlice}, {@code tryNextFrameSlice}) is a {@link LinkBuffer}
 * that shares the input's memory and belongs to the caller, who releases or closes it (or
 * appends it to a writer); slicing performs the reader's {@code release()}.
 *
 * <h2>Memory bound</h2>
 * A line longer than {@code maxLength} bytes (delimiter excluded) gets a
 * {@link TooLongFrameException} as soon as more than {@code maxLength + 1} bytes without a
 * {@code \n} are readable, so a peer that never sends one costs at most that much before the
 * connection is closed (let the exception escape from the handler). The blocking forms wait
 * without copying: while a line is incomplete they move what has arrived into the decoder (node
 * references, not bytes) and wait for the next byte; that partial line belongs to the decoder
 * until the line completes or {@link #close()} frees it.
 *
 * <h2>Standalone buffers</h2>
 * On a standalone {@link LinkBuffer} nothing waits: a blocking form with an incomplete line
 * throws the buffer's {@link IndexOutOfBoundsException}; the bytes it had moved into the decoder
 * stay there, and the next call continues the line.
 *
 * <h2>Threading</h2>
 * One decoder per connection (or stream), used by that stream's reading thread. Not thread-safe.
 */
public final class LineFrameDecoder implements AutoCloseable {
    private static final byte LF = '\n';
    private static final byte CR = '\r';

    private final int maxLength;
    /** Bytes of an incomplete line moved out of the reader by a blocking call (never empty when set). */
    private @Nullable LinkBuffer pending;
    /** The buffer behind the last view returned for a line that arrived in pieces. */
    private @Nullable LinkBuffer held;

    /** @param maxLength the longest line accepted, in bytes, without the delimiter (at least 1) */
    public LineFrameDecoder(int maxLength) {
        if (maxLength < 1 || maxLength == Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "maxLength must be in [1, " + (Integer.MAX_VALUE - 1) + "]: " + maxLength);
        }
        this.maxLength = maxLength;
    }

    public int maxLength() {
        return maxLength;
    }

    /**
     * Returns the next line as a view (delimiter excluded), waiting until it is whole.
     *
     * @throws TooLongFrameException when the line is longer than the maximum
     * @throws IOException the reader's errors while waiting (closed, read timeout)
     */
    public ByteBuffer nextFrame(Reader reader) throws IOException {
        dropHeld();
        for (; ; ) {
            ByteBuffer frame = tryView(reader);
            if (frame != null) {
                return frame;
            }
            await(reader);
        }
    }

    /** Returns the next line as a view (delimiter excluded), or {@code null} if it has not fully arrived. */
    public @Nullable ByteBuffer tryNextFrame(Reader reader) throws IOException {
        dropHeld();
        return tryView(reader);
    }

    /**
     * Returns the next line as a slice owned by the caller (delimiter excluded), waiting until it
     * is whole.
     */
    public LinkBuffer nextFrameSlice(Reader reader) throws IOException {
        dropHeld();
        for (; ; ) {
            LinkBuffer frame = trySlice(reader);
            if (frame != null) {
                return frame;
            }
            await(reader);
        }
    }

    /** Returns the next line as a slice owned by the caller, or {@code null} if it has not fully arrived. */
    public @Nullable LinkBuffer tryNextFrameSlice(Reader reader) throws IOException {
        dropHeld();
        return trySlice(reader);
    }

    /** The bytes of an incomplete line this decoder holds (moved out of the reader while waiting). */
    public int pendingBytes() {
        return pending == null ? 0 : pending.len();
    }

    /** Frees what the decoder holds (a partial line, the memory of the last view). Idempotent. */
    @Override
    public void close() {
        dropHeld();
        if (pending != null) {
            pending.close();
            pending = null;
        }
    }

    // ------------------------------------------------------------------------------------------

    private void await(Reader reader) throws IOException {
        // On a connection the poller appends while we look: bytes that arrived after tryView's
        // scan may hold the line feed. Move only bytes scanned here and found without one (the
        // length first, then the scan, which covers at least those bytes); if a line feed came,
        // return without waiting and let the caller's tryView take the line. Moving an unscanned
        // line feed into pending would hide it (only the reader is searched) and wait forever.
        int n = reader.len();
        if (reader.indexOf(LF) >= 0) {
            return;
        }
        if (n > 0) {
            // Node references move; nothing is copied however slowly the line arrives.
            if (pending == null) {
                pending = reader.slice(n);
            } else {
                pending.append(reader, n);
                pending.flush(); // appended bytes are written, readable only once flushed
            }
        }
        reader.peek(1); // waits for the next byte; nothing readable was left, so it is one node: no copy
    }

    /** False while the line is incomplete; throws when it is, or must be, longer than the maximum. */
    private boolean complete(Reader reader, int at) throws IOException {
        int p = pendingBytes();
        if (at < 0) {
            long readable = (long) p + reader.len();
            if (readable > maxLength + 1L) {
                throw tooLong(readable);
            }
            return false;
        }
        long beforeLf = (long) p + at;
        if (beforeLf <= maxLength || beforeLf == maxLength + 1L && crBeforeLf(reader, at)) {
            return true;
        }
        throw tooLong(beforeLf);
    }

    /** Whether the byte before the {@code \n} at reader offset {@code at} is a {@code \r} (rare: only at the limit). */
    private boolean crBeforeLf(Reader reader, int at) throws IOException {
        if (at > 0) {
            ByteBuffer v = reader.peek(at + 1);
            return v.get(v.position() + at - 1) == CR;
        }
        // The \n is the reader's first byte: the byte before it is the last one of pending.
        int p = pending.len();
        ByteBuffer v = pending.peek(p);
        return v.get(v.position() + p - 1) == CR;
    }

    private @Nullable ByteBuffer tryView(Reader reader) throws IOException {
        int at = reader.indexOf(LF);
        ByteBuffer v;
        if (pending == null && at >= 0 && at <= maxLength) {
            // Fast path: the whole line is readable and short enough whatever precedes the \n.
            v = reader.next(at + 1);
        } else if (complete(reader, at)) {
            LinkBuffer whole = takeWhole(reader, at);
            held = whole;
            v = whole.next(whole.len());
        } else {
            return null;
        }
        int end = v.limit() - 1;
        if (end > v.position() && v.get(end - 1) == CR) {
            end--;
        }
        return v.limit(end);
    }

    private @Nullable LinkBuffer trySlice(Reader reader) throws IOException {
        int at = reader.indexOf(LF);
        if (!(pending == null && at >= 0 && at <= maxLength) && !complete(reader, at)) {
            return null;
        }
        LinkBuffer whole = takeWhole(reader, at);
        int n = whole.len();
        if (n == 1) {
            whole.skip(1);
            whole.release();
            return whole;
        }
        LinkBuffer frame = whole.slice(n - 2);
        byte last = whole.readByte();
        if (last != CR) {
            frame.writeByte(last);
            frame.flush();
        }
        whole.close(); // the delimiter
        return frame;
    }

    /** The pending bytes and the reader's bytes up to and including the {@code \n}, as one buffer. */
    private LinkBuffer takeWhole(Reader reader, int at) throws IOException {
        LinkBuffer whole = pending;
        pending = null;
        if (whole == null) {
            return reader.slice(at + 1);
        }
        whole.append(reader, at + 1);
        whole.flush();
        return whole;
    }

    private void dropHeld() {
        if (held != null) {
            held.close();
            held = null;
        }
    }

    private TooLongFrameException tooLong(long seen) {
        return new TooLongFrameException(
                "line longer than " + maxLength + " bytes (" + seen + " bytes without a line feed)");
    }
}
