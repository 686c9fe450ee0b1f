package io.netpoll.internal.tls;

import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;

import java.nio.ByteBuffer;

/**
 * At most one contiguous block of pooled memory, held between calls: TLS needs a whole record in
 * one buffer to unwrap it, which a chain of nodes cannot promise.
 *
 * <p>The block is a {@code malloc} of a private {@link LinkBuffer} that is never flushed while
 * held (the view stays valid until the next {@code flush}/{@code mallocAck}), and given back with
 * {@code mallocAck(0)} + {@code flush()}, which returns the empty node to the pool. So taking and
 * giving back allocate nothing (the node caches its views) and no pool internals are needed.
 *
 * <p>One thread at a time (the caller's own ordering gives the happens-before).
 */
final class Staging implements AutoCloseable {

    private final LinkBuffer holder;
    private ByteBuffer block;

    Staging(BufferPool pool) {
        holder = new LinkBuffer(pool, BufferPool.MIN_NODE_SIZE);
    }

    /**
     * Takes a block of {@code size} bytes: the view's {@code [position, limit)}. The previous
     * block, if any, must have been {@link #release() released}.
     */
    ByteBuffer take(int size) {
        if (block != null) {
            throw new IllegalStateException("staging block already taken");
        }
        block = holder.malloc(size);
        return block;
    }

    boolean holds() {
        return block != null;
    }

    /** Gives the block back to the pool (no-op without one). The view must not be used after. */
    void release() {
        if (block != null) {
            block = null;
            holder.mallocAck(0);
            holder.flush();
        }
    }

    @Override
    public void close() {
        release();
        holder.close();
    }
}
