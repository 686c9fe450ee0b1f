package io.netpoll.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The read side of netpoll's zero-copy buffer API ({@code netpoll.Reader}).
 *
 * <h2>Views and ownership</h2>
 * {@link #next}, {@link #peek} and {@link #until} return a {@link ByteBuffer} <em>view</em>
 * whose {@code [position, limit)} are the requested bytes (the position is not necessarily 0,
 * because views are windows on pooled memory, handed out without allocating). When the bytes lie inside one memory node the view shares
 * that node's memory (no copy); when they span nodes they are copied once into pooled scratch
 * memory. Either way the view stays valid until the next {@link #release()} of this reader, and
 * must not be used after it: its memory goes back to the pool and the view object itself may be
 * handed out again. Do not write through a view. {@link #readBinary}, {@link #readString} and
 * {@link #readByte} copy and are safe to keep.
 *
 * <h2>Threading</h2>
 * A reader is used by one thread at a time. It may run concurrently with the one thread that
 * uses the corresponding {@link Writer} (see {@link LinkBuffer} for the invariants).
 *
 * <h2>Errors</h2>
 * A negative size gets an {@link IllegalArgumentException}. What happens when fewer bytes are
 * readable than requested depends on the implementation: a standalone {@link LinkBuffer} throws
 * {@link IndexOutOfBoundsException} at once; a connection's reader waits for more data until the
 * read timeout ({@code ReadTimeoutException}) or the connection closes
 * ({@code ConnectionClosedException}). Using a closed buffer gets {@link IllegalStateException}.
 *
 * <p>The name follows netpoll, not {@link java.io.Reader}: this type reads bytes, not chars.
 */
public interface Reader {

    /**
     * Takes the next {@code n} bytes and returns a view of them: the view's
     * {@code [position, limit)} are those bytes ({@code remaining() == n}); read them with
     * relative gets, or absolute gets from {@code position()}. Valid until {@link #release()}.
     */
    ByteBuffer next(int n) throws IOException;

    /** Returns a view of the next {@code n} bytes without taking them. Valid until {@link #release()}. */
    ByteBuffer peek(int n) throws IOException;

    /** Discards the next {@code n} bytes. */
    void skip(int n) throws IOException;

    /**
     * Takes the bytes up to and including the first {@code delim} and returns a view of them.
     * Valid until {@link #release()}.
     */
    ByteBuffer until(byte delim) throws IOException;

    /**
     * Returns the offset of the first {@code delim} among the readable bytes, or -1 if it is not
     * there yet. Never waits. Not in netpoll's Go API; it lets non-blocking parsers look for a
     * frame end without taking anything. On a closed connection: -1, as {@link #len()} is 0 there
     * (inspection never throws; the next taking call throws {@code ConnectionClosedException}).
     */
    int indexOf(byte delim);

    /** Takes one byte. */
    byte readByte() throws IOException;

    /** Takes {@code n} bytes and decodes them as UTF-8. */
    default String readString(int n) throws IOException {
        return readString(n, StandardCharsets.UTF_8);
    }

    /** Takes {@code n} bytes and decodes them with {@code charset}. */
    String readString(int n, Charset charset) throws IOException;

    /** Takes {@code n} bytes into a new array (a copy, safe to keep). */
    byte[] readBinary(int n) throws IOException;

    /**
     * Takes the next {@code n} bytes as a new buffer that shares this one's memory (node
     * references move, bytes are not copied), then performs {@link #release()}. The returned
     * buffer is owned by the caller, who must {@link LinkBuffer#release() release} or
     * {@link LinkBuffer#close() close} it (or {@link Writer#append append} it to another buffer).
     */
    LinkBuffer slice(int n) throws IOException;

    /**
     * Frees the memory of every byte already taken. Views returned before this call become
     * invalid.
     */
    void release();

    /** The number of bytes readable now (flushed by the writer and not yet taken). */
    int len();
}
