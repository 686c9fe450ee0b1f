package io.netpoll.buffer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A pool of one's own can be closed (a Spring context closes its pool with the context): free
 * memory is dropped, returned memory is no longer pooled, buffers in use keep working, and the
 * statistics keep counting so that a leak check still works afterwards.
 */
class BufferPoolCloseTests {

    private static LinkBuffer filled(BufferPool pool, int bytes) {
        LinkBuffer b = new LinkBuffer(pool, 4096);
        b.writeBinary(BufferPoolAndReferenceCountTests.pattern(bytes, bytes));
        b.flush();
        return b;
    }

    @Test
    void closeDropsTheFreeMemoryAndPoolsNothingAfterwards() throws Exception {
        BufferPool pool = BufferPool.create(8 << 20);
        filled(pool, 100_000).close();
        assertThat(pool.stats().pooledBytes()).as("memory pooled before close").isPositive();

        LinkBuffer inUse = filled(pool, 20_000);
        long usedBefore = pool.stats().usedBytes();
        pool.close();

        assertThat(pool.isClosed()).isTrue();
        assertThat(pool.stats().pooledBytes()).isZero();
        assertThat(pool.stats().usedBytes()).as("memory in use is not touched").isEqualTo(usedBefore);
        assertThat(pool.stats().maxPooledBytes()).isEqualTo(8 << 20);

        // A buffer that outlives the pool still works, and its memory is dropped when released.
        assertThat(inUse.readBinary(20_000)).isEqualTo(BufferPoolAndReferenceCountTests.pattern(20_000, 20_000));
        LinkBuffer after = filled(pool, 5_000);
        assertThat(after.readBinary(5_000)).isEqualTo(BufferPoolAndReferenceCountTests.pattern(5_000, 5_000));
        inUse.close();
        after.close();
        assertThat(pool.stats().outstandingNodes()).isZero();
        assertThat(pool.stats().usedBytes()).isZero();
        assertThat(pool.stats().pooledBytes()).as("nothing pooled after close").isZero();

        pool.close(); // idempotent
        assertThat(pool.stats().pooledBytes()).isZero();
    }

    @Test
    void aClosedPoolStillCountsOutstandingNodesForTheLeakCheck() {
        BufferPool pool = BufferPool.create(1 << 20);
        LinkBuffer leaked = filled(pool, 3_000);
        pool.close();
        assertThat(pool.stats().outstandingNodes()).isPositive();
        leaked.close();
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void closingTheDefaultPoolDoesNothing() {
        BufferPool.defaultPool().close();
        assertThat(BufferPool.defaultPool().isClosed()).isFalse();
        LinkBuffer b = filled(BufferPool.defaultPool(), 1_000);
        b.close();
    }

    @Test
    void createWithALevelUsesItAndTheDefaultCeilingIsTheDefaultPools() {
        try (BufferPool paranoid = BufferPool.create(1 << 20, LeakDetection.PARANOID);
                BufferPool disabled = BufferPool.create(0, LeakDetection.DISABLED)) {
            assertThat(paranoid.leakDetection()).isEqualTo(LeakDetection.PARANOID);
            assertThat(disabled.leakDetection()).isEqualTo(LeakDetection.DISABLED);
            assertThat(disabled.stats().maxPooledBytes()).isZero();
        }
        assertThat(BufferPool.defaultMaxPooledBytes())
                .isEqualTo(BufferPool.defaultPool().stats().maxPooledBytes());
        assertThatThrownBy(() -> BufferPool.create(-1, LeakDetection.SAMPLE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
