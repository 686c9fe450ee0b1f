package io.netpoll.internal;

import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;

/**
 * A connection's {@link Reader}: waits until enough bytes have arrived (see
 * {@code NioConnection#awaitLen}), then delegates to the input {@link LinkBuffer}. Calls from a
 * thread other than the running handler hold a reference on the connection, so the buffer cannot
 * be freed under them by a concurrent close.
 */
final class ConnReader implements Reader {
    private final NioConnection c;
    private final LinkBuffer in;

    ConnReader(NioConnection c, LinkBuffer in) {
        this.c = c;
        this.in = in;
    }

    @Override
    public ByteBuffer next(int n) throws IOException {
        boolean entered = c.enter();
        try {
            c.awaitLen(n);
            return in.next(n);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public ByteBuffer peek(int n) throws IOException {
        boolean entered = c.enter();
        try {
            c.awaitLen(n);
            return in.peek(n);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public void skip(int n) throws IOException {
        boolean entered = c.enter();
        try {
            c.awaitLen(n);
            in.skip(n);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public ByteBuffer until(byte delim) throws IOException {
        boolean entered = c.enter();
        try {
            c.awaitDelim(delim);
            return in.until(delim);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public int indexOf(byte delim) {
        boolean entered;
        try {
            entered = c.enterUnchecked();
        } catch (IllegalStateException closed) {
            return -1; // like len(): nothing readable; the next taking call throws ConnectionClosedException
        }
        try {
            return in.indexOf(delim);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public byte readByte() throws IOException {
        boolean entered = c.enter();
        try {
            c.awaitLen(1);
            return in.readByte();
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public String readString(int n, Charset charset) throws IOException {
        boolean entered = c.enter();
        try {
            c.awaitLen(n);
            return in.readString(n, charset);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public byte[] readBinary(int n) throws IOException {
        boolean entered = c.enter();
        try {
            c.awaitLen(n);
            return in.readBinary(n);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public LinkBuffer slice(int n) throws IOException {
        boolean entered = c.enter();
        try {
            c.awaitLen(n);
            LinkBuffer slice = in.slice(n);
            c.maybeResumeRead(false);
            return slice;
        } finally {
            c.exit(entered);
        }
    }

    /** {@code out.append(this, n)} for a connection's reader: waits for the bytes, then moves them. */
    void appendTo(LinkBuffer out, int n) throws IOException {
        boolean entered = c.enter();
        try {
            c.awaitLen(n);
            out.append(in, n);
            c.maybeResumeRead(false);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public void release() {
        boolean entered;
        try {
            entered = c.enterUnchecked();
        } catch (IllegalStateException closed) {
            return; // Closing released everything already.
        }
        try {
            in.release();
            c.maybeResumeRead(false);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public int len() {
        boolean entered;
        try {
            entered = c.enterUnchecked();
        } catch (IllegalStateException closed) {
            return 0;
        }
        try {
            return in.len();
        } finally {
            c.exit(entered);
        }
    }
}
