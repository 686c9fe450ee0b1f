package io.netpoll.buffer;

import java.util.List;

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
 * @param maxDirectBytes   the budget on all direct memory the pool holds (used and pooled)
 * @param reservedBytes    direct memory counted against the budget: allocated and not dropped
 *                         (about {@code usedBytes + pooledBytes})
 * @param budgetRefusals   requests refused at the budget since the pool was created (a socket
 *                         read paused, or a {@link BufferBudgetExceededException} thrown)
 * @param decayedBytes     free memory dropped by decay since the pool was created
 * @param sizeClasses      used and pooled memory per size class, smallest first, then one entry
 *                         for unpooled large blocks ({@link SizeClass#nodeSize()} -1)
 */
public record BufferPoolStats(
        long usedBytes,
        long pooledBytes,
        long outstandingNodes,
        long maxPooledBytes,
        long leaksDetected,
        long maxDirectBytes,
        long reservedBytes,
        long budgetRefusals,
        long decayedBytes,
        List<SizeClass> sizeClasses) {

    /** A snapshot with the original five numbers only (no budget, no size classes). */
    public BufferPoolStats(
            long usedBytes, long pooledBytes, long outstandingNodes, long maxPooledBytes, long leaksDetected) {
        this(
                usedBytes,
                pooledBytes,
                outstandingNodes,
                maxPooledBytes,
                leaksDetected,
                Long.MAX_VALUE,
                usedBytes + pooledBytes,
                0,
                0,
                List.of());
    }

    /** Copies {@code sizeClasses}. */
    public BufferPoolStats {
        sizeClasses = List.copyOf(sizeClasses);
    }

    /**
     * One size class.
     *
     * @param nodeSize    the block size in bytes, or -1 for unpooled blocks larger than
     *                    {@link BufferPool#MAX_NODE_SIZE}
     * @param usedBytes   bytes of this class handed out and not yet returned
     * @param pooledBytes bytes of this class kept free for reuse
     */
    public record SizeClass(long nodeSize, long usedBytes, long pooledBytes) {}
}
