package io.netpoll.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.Charset;

/** Skeleton: the implementation follows in the next commit. */
public final class LinkBuffer implements Reader, Writer, AutoCloseable {

    public static final int DEFAULT_NODE_SIZE = 4096;

    public LinkBuffer() { this(BufferPool.defaultPool()); }
    public LinkBuffer(BufferPool pool) { this(pool, DEFAULT_NODE_SIZE); }
    public LinkBuffer(BufferPool pool, int nodeSize) { }

    @Override public ByteBuffer next(int n) { throw new UnsupportedOperationException(); }
    @Override public ByteBuffer peek(int n) { throw new UnsupportedOperationException(); }
    @Override public void skip(int n) { throw new UnsupportedOperationException(); }
    @Override public ByteBuffer until(byte delim) { throw new UnsupportedOperationException(); }
    @Override public int indexOf(byte delim) { throw new UnsupportedOperationException(); }
    @Override public byte readByte() { throw new UnsupportedOperationException(); }
    @Override public String readString(int n, Charset charset) { throw new UnsupportedOperationException(); }
    @Override public byte[] readBinary(int n) { throw new UnsupportedOperationException(); }
    @Override public LinkBuffer slice(int n) { throw new UnsupportedOperationException(); }
    @Override public void release() { throw new UnsupportedOperationException(); }
    @Override public int len() { throw new UnsupportedOperationException(); }
    @Override public ByteBuffer malloc(int n) { throw new UnsupportedOperationException(); }
    @Override public int mallocLen() { throw new UnsupportedOperationException(); }
    @Override public void mallocAck(int n) { throw new UnsupportedOperationException(); }
    @Override public void writeBinary(byte[] b, int off, int len) { throw new UnsupportedOperationException(); }
    @Override public void writeBinary(ByteBuffer src) { throw new UnsupportedOperationException(); }
    @Override public void writeString(String s, Charset charset) { throw new UnsupportedOperationException(); }
    @Override public void writeByte(byte b) { throw new UnsupportedOperationException(); }
    @Override public void writeDirect(ByteBuffer extra, int remainCap) { throw new UnsupportedOperationException(); }
    @Override public void append(LinkBuffer other) { throw new UnsupportedOperationException(); }
    @Override public void flush() { throw new UnsupportedOperationException(); }

    /** True when nothing is readable and nothing is written but unflushed. */
    public boolean isEmpty() { throw new UnsupportedOperationException(); }

    /**
     * Writer side, for transports: one {@code read} from {@code channel} into this buffer's tail
     * (at most {@code sizeHint} bytes when a new node is needed; the free space of the current tail
     * node otherwise), then {@link #flush()}. Returns the bytes read, or -1 at end of stream.
     */
    public int fillFrom(ReadableByteChannel channel, int sizeHint) throws IOException { throw new UnsupportedOperationException(); }

    /**
     * Reader side, for transports: one gathering {@code write} of the readable bytes to
     * {@code channel}; the bytes written are taken and released. Returns the bytes written
     * (0 when the channel accepts nothing now).
     */
    public long drainTo(GatheringByteChannel channel) throws IOException { throw new UnsupportedOperationException(); }

    /** The pool this buffer takes its memory from. */
    public BufferPool pool() { throw new UnsupportedOperationException(); }

    /** Returns every node to the pool. Idempotent. Must not race with the reader or the writer. */
    @Override public void close() { }
}
