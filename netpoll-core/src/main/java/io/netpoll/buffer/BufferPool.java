package io.netpoll.buffer;

/** Skeleton: the implementation follows in the next commit. */
public final class BufferPool {
    public static BufferPool defaultPool() { throw new UnsupportedOperationException(); }
    public static BufferPool create(long maxPooledBytes) { throw new UnsupportedOperationException(); }
    public BufferPoolStats stats() { throw new UnsupportedOperationException(); }
}
