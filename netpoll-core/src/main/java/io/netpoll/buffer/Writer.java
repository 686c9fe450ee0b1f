package io.netpoll.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The write side of netpoll's zero-copy buffer API ({@code netpoll.Writer}).
 *
 * <p>Bytes are first <em>written</em> (reserved with {@link #malloc} and filled in place, or
 * copied in by the {@code write*} methods) and become visible to the reader, or are sent on a
 * connection, only at {@link #flush()}. {@link #mallocLen()} counts the written, unflushed bytes;
 * {@link #mallocAck(int)} keeps the first {@code n} of them and drops the rest.
 *
 * <h2>Ownership</h2>
 * The view returned by {@link #malloc} is valid until the next {@link #flush()} or
 * {@link #mallocAck}; fill it with relative or absolute puts and do not keep it.
 * {@link #writeDirect} and {@link #append} take ownership of what they are given.
 *
 * <h2>Threading</h2>
 * A writer is used by one thread at a time. It may run concurrently with the one thread that
 * uses the corresponding {@link Reader}. A connection's writer adds a safe way for several
 * threads to write (see {@code Connection}).
 *
 * <h2>Errors</h2>
 * One contract for every method, as for {@link Reader}: each declares {@link IOException}. A
 * connection's writer throws {@code ConnectionClosedException} from every method once the
 * connection is closed (and {@code WriteTimeoutException} from a flush that waited too long); a
 * standalone {@link LinkBuffer} narrows the declarations and throws no checked exception. A
 * negative size gets {@link IllegalArgumentException}; {@code mallocAck(n)} with {@code n}
 * larger than {@link #mallocLen()} gets {@link IllegalArgumentException}; using a closed
 * {@link LinkBuffer} gets {@link IllegalStateException}.
 *
 * <p>The name follows netpoll, not {@link java.io.Writer}: this type writes bytes, not chars.
 */
public interface Writer {

    /**
     * Reserves {@code n} contiguous bytes and returns a view of them to fill in place: the view's
     * {@code [position, limit)} are those bytes ({@code remaining() == n}; the position is not
     * necessarily 0). The bytes count as written at once.
     */
    ByteBuffer malloc(int n) throws IOException;

    /** The number of bytes written (malloc'd or copied in) and not yet flushed. */
    int mallocLen() throws IOException;

    /** Keeps the first {@code n} unflushed bytes and drops the rest. */
    void mallocAck(int n) throws IOException;

    /** Copies {@code b} in. */
    default void writeBinary(byte[] b) throws IOException {
        writeBinary(b, 0, b.length);
    }

    /** Copies {@code len} bytes of {@code b} from {@code off} in. */
    void writeBinary(byte[] b, int off, int len) throws IOException;

    /** Copies the remaining bytes of {@code src} in, advancing its position. */
    void writeBinary(ByteBuffer src) throws IOException;

    /** Copies {@code s} in, encoded as UTF-8. */
    default void writeString(String s) throws IOException {
        writeString(s, StandardCharsets.UTF_8);
    }

    /** Copies {@code s} in, encoded with {@code charset}. */
    void writeString(String s, Charset charset) throws IOException;

    /** Writes one byte. */
    void writeByte(byte b) throws IOException;

    /**
     * Inserts the remaining bytes of {@code extra} into the written stream without copying them,
     * before the last {@code remainCap} bytes reserved by {@link #malloc}. So
     * {@code malloc(a + b); writeDirect(data, b)} gives the same stream as
     * {@code malloc(a); writeBinary(data); malloc(b)}. The buffer keeps a reference to
     * {@code extra}'s memory until the bytes are released: do not change it meanwhile.
     */
    void writeDirect(ByteBuffer extra, int remainCap) throws IOException;

    /**
     * Moves all of {@code other}'s bytes (readable and written) to the end of this writer's
     * unflushed bytes, by moving node references, not bytes. {@code other} is left empty and may
     * be reused; views taken from it become invalid. {@code other} must not be in use by another
     * thread. A connection's writer that fails because the connection has closed
     * ({@code ConnectionClosedException}) closes {@code other}: its bytes were handed over either
     * way, so a slice appended to a connection that just closed cannot leak.
     */
    void append(LinkBuffer other) throws IOException;

    /**
     * Moves the next {@code n} bytes of {@code source} to the end of this writer's unflushed
     * bytes without copying them, then performs {@code source.release()}: the same stream as
     * {@code append(source.slice(n))}, but when {@code source} is a {@link LinkBuffer} or a
     * connection's reader, no intermediate buffer is created (an echo or a proxy allocates
     * nothing per message). A connection's reader waits for {@code n} bytes as
     * {@link Reader#slice} does. The caller must be the writing thread of this writer and the
     * reading thread of {@code source}; views taken from {@code source} become invalid.
     *
     * @throws IndexOutOfBoundsException when a standalone {@code source} holds fewer than {@code n} bytes
     * @throws IOException as {@link Reader#slice} on a connection's reader (closed, read timeout),
     *         and {@code ConnectionClosedException} when this writer's connection has closed;
     *         then nothing moved, so {@code source} keeps its bytes (and a connection's input is
     *         freed with it)
     */
    void append(Reader source, int n) throws IOException;

    /** Makes every written byte readable (standalone buffer) or sends it (connection). */
    void flush() throws IOException;
}
