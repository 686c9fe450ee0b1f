package io.netpoll.buffer;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Free memory that stayed unused for a whole decay interval is given back; memory used during
 * the interval is kept. A test clock drives the passes: no sleeping, no decay thread.
 */
class BufferPoolDecayTests {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);

    private BufferPool pool(Duration decay) {
        return BufferPool.builder()
                .maxPooledBytes(64L << 20)
                .maxDirectBytes(64L << 20)
                .decay(decay)
                .ticker(now::get)
                .manualDecay()
                .build();
    }

    /** Takes {@code nodes} nodes of {@code size} bytes and gives them all back. */
    private static void burst(BufferPool pool, int nodes, int size) {
        LinkBuffer b = new LinkBuffer(pool, size);
        for (int i = 0; i < nodes; i++) {
            b.malloc(size);
        }
        b.flush();
        b.close();
    }

    private void tick(BufferPool pool, long nanos) {
        now.addAndGet(nanos);
        pool.decayTick();
    }

    @Test
    void freeMemoryUnusedForAWholeIntervalIsDropped() {
        BufferPool pool = pool(Duration.ofSeconds(10));
        burst(pool, 64, 1 << 20); // 64 MiB... at the ceiling
        long pooled = pool.stats().pooledBytes();
        assertThat(pooled).isEqualTo(64L << 20);

        tick(pool, 5 * SECOND);
        assertThat(pool.stats().pooledBytes()).as("no pass before an interval").isEqualTo(pooled);
        tick(pool, 5 * SECOND);
        assertThat(pool.stats().pooledBytes())
                .as("pushed during the interval: not idle for all of it")
                .isEqualTo(pooled);
        tick(pool, 10 * SECOND);
        BufferPoolStats stats = pool.stats();
        assertThat(stats.pooledBytes()).as("idle for a whole interval").isZero();
        assertThat(stats.decayedBytes()).isEqualTo(pooled);
        assertThat(stats.reservedBytes()).isZero();
        assertThat(stats.outstandingNodes()).isZero();
    }

    @Test
    void memoryNeededDuringTheIntervalIsKeptAndOnlyTheSurplusGoes() {
        BufferPool pool = pool(Duration.ofSeconds(10));
        burst(pool, 32, 64 * 1024); // the burst: 32 blocks of 64 KiB free afterwards
        tick(pool, 10 * SECOND); // starts an interval with 32 free
        for (int i = 0; i < 5; i++) {
            burst(pool, 4, 64 * 1024); // steady traffic needs 4 of them at a time
        }
        tick(pool, 10 * SECOND);
        assertThat(pool.stats().pooledBytes())
                .as("the 4 blocks in use during the interval stay")
                .isEqualTo(4L * 64 * 1024);
        assertThat(pool.stats().decayedBytes()).isEqualTo(28L * 64 * 1024);
        // Still used: kept interval after interval.
        burst(pool, 4, 64 * 1024);
        tick(pool, 10 * SECOND);
        assertThat(pool.stats().pooledBytes()).isEqualTo(4L * 64 * 1024);
        // Traffic stops: the rest goes one interval later.
        tick(pool, 10 * SECOND);
        assertThat(pool.stats().pooledBytes()).isZero();
    }

    @Test
    void carvedBlocksAreDroppedAndTheirSlabsWithThem() {
        BufferPool pool = pool(Duration.ofSeconds(1));
        burst(pool, 1000, 1024); // 1,000 blocks of 1 KiB from 64 KiB slabs
        long pooled = pool.stats().pooledBytes();
        assertThat(pooled).isGreaterThanOrEqualTo(1000L * 1024);
        tick(pool, SECOND);
        tick(pool, SECOND);
        assertThat(pool.stats().pooledBytes()).isZero();
        assertThat(pool.stats().reservedBytes())
                .as("every carved block gone: the slabs are unreachable")
                .isZero();
    }

    @Test
    void theDecayThreadGivesMemoryBackWithoutAnyoneTouchingThePool() {
        // The real clock and the shared daemon thread: nothing but time passes.
        BufferPool pool = BufferPool.builder()
                .maxPooledBytes(16L << 20)
                .decay(Duration.ofMillis(100))
                .build();
        burst(pool, 8, 1 << 20);
        assertThat(pool.stats().pooledBytes()).isEqualTo(8L << 20);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> pool.stats().pooledBytes() == 0);
        assertThat(pool.stats().decayedBytes()).isEqualTo(8L << 20);
        assertThat(Thread.getAllStackTraces().keySet())
                .anyMatch(t -> t.getName().equals("netpoll-buffer-decay") && t.isDaemon());
        pool.close();
    }

    @Test
    void zeroDecayKeepsFreeMemoryUntilClose() {
        BufferPool pool = pool(Duration.ZERO);
        burst(pool, 8, 1 << 20);
        for (int i = 0; i < 5; i++) {
            tick(pool, 3600 * SECOND);
        }
        assertThat(pool.stats().pooledBytes()).isEqualTo(8L << 20);
        assertThat(pool.stats().decayedBytes()).isZero();
        pool.close();
        assertThat(pool.stats().pooledBytes()).isZero();
    }

    @Test
    void sizeClassStatisticsShowUsedAndPooledMemoryPerClass() {
        BufferPool pool = pool(Duration.ofSeconds(10));
        LinkBuffer inUse = new LinkBuffer(pool, 4096);
        inUse.malloc(4096);
        inUse.flush();
        LinkBuffer large = new LinkBuffer(pool, 4096);
        large.malloc(3 << 20);
        large.flush();
        burst(pool, 2, 1 << 20);
        BufferPoolStats stats = pool.stats();
        assertThat(stats.sizeClasses()).hasSize(16);
        assertThat(stats.sizeClasses().get(0).nodeSize()).isEqualTo(BufferPool.MIN_NODE_SIZE);
        BufferPoolStats.SizeClass c4k = stats.sizeClasses().get(6);
        assertThat(c4k.nodeSize()).isEqualTo(4096);
        assertThat(c4k.usedBytes()).isEqualTo(4096);
        assertThat(c4k.pooledBytes()).as("the rest of the slab").isEqualTo(64 * 1024 - 4096);
        BufferPoolStats.SizeClass c1m = stats.sizeClasses().get(14);
        assertThat(c1m.nodeSize()).isEqualTo(1 << 20);
        assertThat(c1m).isEqualTo(new BufferPoolStats.SizeClass(1 << 20, 0, 2L << 20));
        assertThat(stats.sizeClasses().get(15))
                .as("unpooled")
                .isEqualTo(new BufferPoolStats.SizeClass(-1, 3L << 20, 0));
        assertThat(stats.sizeClasses().stream()
                        .mapToLong(BufferPoolStats.SizeClass::usedBytes)
                        .sum())
                .isEqualTo(stats.usedBytes());
        assertThat(stats.sizeClasses().stream()
                        .mapToLong(BufferPoolStats.SizeClass::pooledBytes)
                        .sum())
                .isEqualTo(stats.pooledBytes());
        inUse.close();
        large.close();
    }
}
