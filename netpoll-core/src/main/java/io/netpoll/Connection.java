package io.netpoll;

import io.netpoll.buffer.Reader;
import io.netpoll.buffer.Writer;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.time.Duration;

/**
 * One socket connection (TCP or Unix domain), server- or client-side (netpoll's
 * {@code Connection}).
 *
 * <h2>Reading</h2>
 * {@link #reader()} is the zero-copy API. Its {@code next/peek/skip/until/readByte/readString/
 * readBinary/slice} wait until enough bytes have arrived (there is no partial result): the wait
 * ends with the data, with {@link ReadTimeoutException} after the read timeout (the connection
 * stays open), with {@link ConnectionClosedException} when the connection closes, or with its
 * subclass {@link EndOfStreamException} when the peer closed its side before sending enough.
 * Bytes the peer sent before closing its side are still delivered.
 * One thread reads at a time: the {@link OnRequest} handler, or, on a connection without one,
 * the thread that calls the reader.
 *
 * <h2>Writing</h2>
 * {@link #writer()} is for one thread at a time (normally the handler). Once the connection is
 * closed, every writer method throws {@link ConnectionClosedException}. {@code flush()} writes
 * from the calling thread; only when the socket is full does it wait for the poller to report it
 * writable, bounded by the write timeout: then the connection is closed (the peer is not reading,
 * and part of a message may have gone out) and the flush throws {@link WriteTimeoutException}. To write from several
 * threads, every writer uses {@link #send(WriteAction)}, which fills and flushes under a
 * per-connection lock.
 *
 * <h2>Blocking channel</h2>
 * It is also a plain blocking {@link ByteChannel}: {@link #read(ByteBuffer)} waits for at least
 * one byte (or returns -1 after the peer closed), {@link #write(ByteBuffer)} copies and flushes
 * under the {@link #send} lock.
 *
 * <h2>Half-closure</h2>
 * The peer's FIN ends its input; {@link #isInputShutdown()} turns true. Without
 * {@link Option#allowHalfClosure half-closure} the connection closes once the handler has
 * handled the bytes sent before the FIN. With it, the connection stays open for writing: the
 * handler is called at least once after the FIN (even with nothing to read), replies, and ends
 * the session with {@link #shutdownOutput()} (our FIN after the output is sent; with both
 * directions done the connection closes by itself) or {@link #close()}. Either side may finish
 * first: {@link #shutdownOutput()} before the peer's FIN keeps reading until it comes.
 *
 * <h2>Closing</h2>
 * {@link #close()} is idempotent and safe from any thread at any time. Blocked readers and
 * writers wake with {@link ConnectionClosedException}; close callbacks run once, after a running
 * handler returns, newest first; then the buffer memory goes back to the pool.
 */
public interface Connection extends ByteChannel {

    /** The zero-copy reader (one reading thread at a time). */
    Reader reader();

    /** The zero-copy writer (one writing thread at a time; see {@link #send}). */
    Writer writer();

    /**
     * Fills the writer with {@code action} and flushes, holding a per-connection lock so that
     * several threads can write whole messages without interleaving. All threads writing to this
     * connection must use this method (or {@link #write(ByteBuffer)}), including the handler.
     */
    void send(WriteAction action) throws IOException;

    /** True until the connection is closed or the peer has closed its side. */
    boolean isActive();

    /**
     * True once the peer has closed its side (FIN, or the connection closed): no more bytes will
     * arrive. Bytes it sent before may still be unread in {@link #reader()}.
     */
    boolean isInputShutdown();

    /**
     * Ends our side of the connection (TCP's half-close, {@code shutdown(SHUT_WR)}): the peer
     * gets a FIN once every byte flushed before this call has been sent (by the poller if the
     * socket is full), and the connection keeps reading. Afterwards every {@code flush()} (and
     * {@link #send}) throws {@link ConnectionClosedException}. If the peer has closed its side
     * too, the connection closes once our FIN is out (both directions done), with
     * {@link OnDisconnect} as for any close the peer began. Output that waits for a peer that
     * does not read is still bounded by the write timeout and the output limit.
     *
     * <p>Idempotent, safe from any thread, never waits; on a closed connection it does nothing.
     * On a Unix domain socket the FIN is the socket's shutdown as well.
     *
     * @throws UnsupportedOperationException on a TLS connection (half-closure over TLS is not
     *         implemented yet; {@code allowHalfClosure} with {@code tls} is refused when the config is built)
     */
    void shutdownOutput();

    /** True once {@link #shutdownOutput()} was called (our FIN sent or waiting for the output), or the connection closed. */
    boolean isOutputShutdown();

    /** Closes the connection. Idempotent, never throws, safe from any thread. */
    @Override
    void close();

    /**
     * Bounds blocking reads; {@code null}, zero or negative waits forever (the default).
     * Takes effect for reads that start after the call.
     */
    void setReadTimeout(@Nullable Duration timeout);

    /**
     * Bounds a blocked {@code flush()}; {@code null}, zero or negative waits forever (the default).
     * A flush that times out closes the connection and throws {@link WriteTimeoutException}.
     */
    void setWriteTimeout(@Nullable Duration timeout);

    /**
     * Closes the connection after this long without any bytes read or written; {@code null},
     * zero or negative disables it. Checked by the poller's timer wheel (about 50 ms resolution).
     */
    void setIdleTimeout(@Nullable Duration timeout);

    /**
     * Sets (or, with {@code null}, removes) the handler called when data arrives; if unread data
     * is already buffered, the handler is started for it. The handler receives this connection's
     * {@link #context()} (on a client connection: null).
     */
    void setOnRequest(@Nullable OnRequest<?> onRequest);

    /** Adds a callback run once when the connection closes; if it is already closed, it still runs. */
    void addCloseCallback(CloseCallback callback);

    /**
     * Adds a callback run once as soon as the connection starts closing (a {@link #close()}, the
     * peer's reset, a timeout, the end of both directions), on the thread that closes it, which
     * may be a poller thread, and possibly while this connection's handler still runs; if the
     * connection is already closing, it runs at once. {@link #addCloseCallback} waits for the
     * handler to return; this one is for what must not wait for it: closing a linked connection
     * (a proxy's other side) wakes a handler blocked in a read or flush on that connection, so the
     * pair goes down at once. It must not block and must not use this connection's reader or
     * writer. Exceptions are logged and ignored.
     */
    void addClosingCallback(CloseCallback callback);

    /** The context returned by {@link OnPrepare}/{@link OnConnect}, or null. */
    @Nullable Object context();

    /**
     * The context as a {@code type}, for code outside the handler (a close callback, a metrics
     * probe), which the handler's type parameter does not reach.
     *
     * @return the context, or null if there is none
     * @throws ClassCastException if the context is not a {@code type}
     */
    default <C> @Nullable C context(Class<C> type) {
        return type.cast(context());
    }

    SocketAddress localAddress();

    SocketAddress remoteAddress();

    /**
     * What the TLS handshake negotiated (protocol, cipher suite, certificates, ALPN, SNI), or
     * {@code null} on a plaintext connection. Set before {@link OnConnect} runs and before a
     * dial returns; the same object for the connection's life. Any thread.
     */
    default io.netpoll.tls.@Nullable TlsSessionInfo tlsSession() {
        return null;
    }
}
