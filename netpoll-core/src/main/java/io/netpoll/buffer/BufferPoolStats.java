package io.netpoll.buffer;

/**
 * A snapshot of a {@link BufferPool}'s memory, cheap enough to take on every metrics scrape.
 * The numbers are read without stopping the pool, so under load they are approximate.
 *
 * @param usedBytes        bytes of node memory handed out and not yet returned
 * @param pooledBytes      bytes of node memory kept in the pool for reuse
 * @param outstandingNodes memory nodes handed out and not yet returned (0 when nothing leaks)
 * @param maxPooledBytes   the ceiling on {@code pooledBytes}
 * @param leaksDetected    tracked nodes that were garbage-collected without being released
 *                         (see {@link LeakDetection}); their bytes no longer count as used
 */
public record BufferPoolStats(long usedBytes, long pooledBytes, long outstandingNodes, long maxPooledBytes,
        long leaksDetected) {
}
