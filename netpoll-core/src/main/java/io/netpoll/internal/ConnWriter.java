package io.netpoll.internal;

import io.netpoll.ConnectionClosedException;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;
import io.netpoll.buffer.Writer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;

/**
 * A connection's {@link Writer}: fills the output {@link LinkBuffer}; {@link #flush()} sends it
 * from the calling thread. Calls from a thread other than the running handler hold a reference on
 * the connection so that a concurrent close cannot free the buffer under them; a closed
 * connection gets {@code ConnectionClosedException} from every method; {@link #append} then
 * closes the buffer it was given, whose bytes it was meant to take over.
 */
final class ConnWriter implements Writer {
    private final NioConnection c;
    private final LinkBuffer out;

    ConnWriter(NioConnection c, LinkBuffer out) {
        this.c = c;
        this.out = out;
    }

    /**
     * The closed check for every method, the handler's calls included (they take no reference):
     * one contract, ConnectionClosedException, whatever the method and the thread.
     */
    private boolean enter() throws ConnectionClosedException {
        if (c.isClosedFlag()) {
            throw c.closedException();
        }
        return c.enter();
    }

    @Override
    public ByteBuffer malloc(int n) throws IOException {
        boolean entered = enter();
        try {
            return out.malloc(n);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public int mallocLen() throws IOException {
        boolean entered = enter();
        try {
            return out.mallocLen();
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public void mallocAck(int n) throws IOException {
        boolean entered = enter();
        try {
            out.mallocAck(n);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public void writeBinary(byte[] b, int off, int len) throws IOException {
        boolean entered = enter();
        try {
            out.writeBinary(b, off, len);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public void writeBinary(ByteBuffer src) throws IOException {
        boolean entered = enter();
        try {
            out.writeBinary(src);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public void writeString(String s, Charset charset) throws IOException {
        boolean entered = enter();
        try {
            out.writeString(s, charset);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public void writeByte(byte b) throws IOException {
        boolean entered = enter();
        try {
            out.writeByte(b);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public void writeDirect(ByteBuffer extra, int remainCap) throws IOException {
        boolean entered = enter();
        try {
            out.writeDirect(extra, remainCap);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public void append(LinkBuffer other) throws IOException {
        boolean entered;
        try {
            entered = enter();
        } catch (ConnectionClosedException closed) {
            // The bytes were handed over with the call, so they are dropped here: the caller (a
            // proxy forwarding a slice to a peer that just left) cannot prevent this race, and
            // leaving the slice to it would leak its nodes on every such race.
            other.close();
            throw closed;
        }
        try {
            out.append(other);
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public void append(Reader source, int n) throws IOException {
        boolean entered = enter();
        try {
            if (source instanceof ConnReader) {
                ((ConnReader) source).appendTo(out, n);
            } else {
                out.append(source, n);
            }
        } finally {
            c.exit(entered);
        }
    }

    @Override
    public void flush() throws IOException {
        boolean entered = enter();
        try {
            c.flush();
        } finally {
            c.exit(entered);
        }
    }
}
