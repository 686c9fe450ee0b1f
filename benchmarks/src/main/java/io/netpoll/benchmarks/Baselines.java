package io.netpoll.benchmarks;

import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.BufferPoolStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Shared set-up for the buffer benchmarks: the Netty baseline allocator, payloads and the
 * checks that make sure both sides really moved the bytes they claim to move.
 */
final class Baselines {

    private Baselines() {}

    /**
     * Netty's pooled allocator, direct buffers preferred, <em>with a thread cache for every
     * thread</em>. Netty's event-loop threads always get a thread cache; a JMH worker thread is a
     * plain thread, and without {@code useCacheForAllThreads} every allocation would go to the
     * shared arena, which would make the baseline slower than Netty is in a real server.
     * All other parameters are Netty's defaults.
     */
    static PooledByteBufAllocator nettyAllocator() {
        return new PooledByteBufAllocator(
                true,
                PooledByteBufAllocator.defaultNumHeapArena(),
                PooledByteBufAllocator.defaultNumDirectArena(),
                PooledByteBufAllocator.defaultPageSize(),
                PooledByteBufAllocator.defaultMaxOrder(),
                PooledByteBufAllocator.defaultSmallCacheSize(),
                PooledByteBufAllocator.defaultNormalCacheSize(),
                true);
    }

    /** A payload of {@code n} bytes with a recognisable, non-repeating-per-node pattern. */
    static byte[] payload(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8));
        }
        return b;
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark self-check failed: " + what);
        }
    }

    static void checkSame(byte[] expected, ByteBuffer view, String what) {
        check(
                view.remaining() == expected.length,
                what + ": view has " + view.remaining() + " bytes, expected " + expected.length);
        byte[] got = new byte[view.remaining()];
        view.duplicate().get(got);
        check(Arrays.equals(expected, got), what + ": view content differs from what was written");
    }

    static void checkSame(byte[] expected, ByteBuf buf, String what) {
        check(
                buf.readableBytes() == expected.length,
                what + ": ByteBuf has " + buf.readableBytes() + " bytes, expected " + expected.length);
        byte[] got = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), got);
        check(Arrays.equals(expected, got), what + ": ByteBuf content differs from what was written");
    }

    /** Fails the trial if netpoll's default pool has nodes outstanding after the buffers were closed. */
    static void checkNoNetpollLeak(String what) {
        BufferPoolStats stats = BufferPool.defaultPool().stats();
        check(stats.outstandingNodes() == 0, what + ": netpoll nodes outstanding after close: " + stats);
    }
}
