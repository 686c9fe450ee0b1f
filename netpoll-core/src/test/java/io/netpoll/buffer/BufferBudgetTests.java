package io.netpoll.buffer;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The process-wide budget on the direct memory a pool holds: checked before any direct
 * allocation, free memory dropped to make room, readers that hoard refused before readers that
 * consume, and the waiters told when memory comes back.
 */
class BufferBudgetTests {

    private static final int MIB = 1 << 20;

    private static BufferPool pool(long budget, long maxPooled) {
        return BufferPool.builder()
                .maxDirectBytes(budget)
                .maxPooledBytes(maxPooled)
                .decay(Duration.ZERO)
                .build();
    }

    /** A socket that always has {@code chunk} bytes to give. */
    private static ReadableByteChannel endless() {
        return new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) {
                int n = dst.remaining();
                dst.position(dst.limit());
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
    }

    /** Reads into {@code b} until the pool refuses; the refusal. */
    private static BufferBudgetExceededException fillUntilRefused(LinkBuffer b) throws Exception {
        ReadableByteChannel ch = endless();
        for (int i = 0; i < 100_000; i++) {
            try {
                b.fillFrom(ch, 64 * 1024);
            } catch (BufferBudgetExceededException e) {
                return e;
            }
        }
        throw new AssertionError("never refused");
    }

    @Test
    void aWriterAtTheBudgetGetsAClearExceptionAndNothingIsAllocatedBeyondIt() {
        BufferPool pool = pool(MIB, 0);
        LinkBuffer b = new LinkBuffer(pool, 4096);
        byte[] chunk = new byte[100_000];
        int written = 0;
        BufferBudgetExceededException refused = null;
        try {
            for (int i = 0; i < 100; i++) {
                b.writeBinary(chunk);
                written += chunk.length;
            }
        } catch (BufferBudgetExceededException e) {
            refused = e;
        }
        assertThat(refused).as("refused at the budget").isNotNull();
        assertThat(refused.getMessage())
                .contains("budget of " + MIB + " bytes exhausted")
                .contains("netpoll.buffer.max-direct-memory");
        assertThat(refused.getStackTrace()).as("a handler's log shows where").isNotEmpty();
        assertThat(refused.isReserveProtected()).isFalse();
        assertThat(written).isGreaterThan(MIB / 2).isLessThanOrEqualTo(MIB);
        BufferPoolStats stats = pool.stats();
        assertThat(stats.reservedBytes()).isLessThanOrEqualTo(MIB);
        assertThat(stats.budgetRefusals()).isEqualTo(1);
        assertThat(stats.maxDirectBytes()).isEqualTo(MIB);

        // The buffer is still usable: what was written before the refusal is all there.
        b.flush();
        assertThat(b.len()).isGreaterThanOrEqualTo(written);
        b.close();
        assertThat(pool.stats().reservedBytes())
                .as("memory back (not pooled: ceiling 0)")
                .isZero();
        assertThat(pool.stats().outstandingNodes()).isZero();
        b = new LinkBuffer(pool, 4096);
        b.writeBinary(chunk);
        b.close();
    }

    @Test
    void freeMemoryOfAnotherSizeClassIsDroppedToMakeRoom() {
        BufferPool pool = pool(MIB, MIB);
        LinkBuffer small = new LinkBuffer(pool, 4096);
        for (int i = 0; i < 225; i++) {
            small.malloc(4096);
        }
        small.flush();
        small.close();
        assertThat(pool.stats().pooledBytes()).as("4 KiB blocks kept free").isGreaterThan(800 * 1024);

        // A 1 MiB block fits the budget only once the free 4 KiB blocks are gone.
        LinkBuffer large = new LinkBuffer(pool, MIB);
        large.malloc(MIB);
        assertThat(pool.stats().budgetRefusals()).isZero();
        assertThat(pool.stats().reservedBytes()).isLessThanOrEqualTo(MIB);
        large.close();
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void unpooledLargeBlocksCountAgainstTheBudgetToo() {
        BufferPool pool = pool(3 * MIB, 0);
        LinkBuffer a = new LinkBuffer(pool, 4096);
        a.malloc(2 * MIB); // larger than the largest class: unpooled
        assertThat(pool.stats().reservedBytes()).isEqualTo(2L * MIB);
        LinkBuffer b = new LinkBuffer(pool, 4096);
        assertThatThrownBy(() -> b.malloc(2 * MIB)).isInstanceOf(BufferBudgetExceededException.class);
        a.flush();
        a.close();
        b.malloc(2 * MIB);
        b.flush();
        b.close();
        assertThat(pool.stats().reservedBytes()).isZero();
    }

    @Test
    void aReaderHoardingUnreadBytesIsStoppedBeforeTheReserveWhileALightReaderStillReads() throws Exception {
        long budget = 8L * MIB;
        BufferPool pool = pool(budget, budget);
        LinkBuffer hoarder = new LinkBuffer(pool, 1024);
        BufferBudgetExceededException refusal = fillUntilRefused(hoarder);
        assertThat(refusal.isReserveProtected())
                .as("refused to keep the reserve")
                .isTrue();
        assertThat(refusal.heldBytes()).isEqualTo(hoarder.len());
        assertThat(refusal.getStackTrace())
                .as("expected on the read path: no stack trace")
                .isEmpty();
        assertThat(pool.stats().reservedBytes()).isLessThanOrEqualTo(budget - budget / 8 + 64 * 1024);
        assertThat(hoarder.len())
                .as("what was read before the refusal is readable")
                .isPositive();

        // A connection that consumes (nothing unread) still reads from the reserve.
        LinkBuffer light = new LinkBuffer(pool, 1024);
        assertThat(light.fillFrom(endless(), 64 * 1024)).isPositive();
        light.skip(light.len());
        light.release();

        // The hoarder is told once memory in use is back under thirteen sixteenths of the budget.
        AtomicInteger told = new AtomicInteger();
        refusal.onMemoryAvailable(told::incrementAndGet);
        refusal.onMemoryAvailable(told::incrementAndGet); // another callback object: told too
        assertThat(told).as("still above seven eighths").hasValue(0);
        hoarder.skip(64 * 1024);
        hoarder.release();
        assertThat(told).as("one block back is not enough to wake a hoarder").hasValue(0);
        hoarder.skip(hoarder.len() / 2);
        hoarder.release();
        assertThat(told).as("memory came back").hasValue(2);
        assertThat(hoarder.fillFrom(endless(), 64 * 1024)).isPositive();
        hoarder.close();
        light.close();
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void aReaderRefusedAtTheFullBudgetIsToldWhenAnyMemoryComesBack() throws Exception {
        BufferPool pool = pool(MIB, MIB);
        LinkBuffer writer = new LinkBuffer(pool, 64 * 1024);
        int taken = 0;
        try {
            for (; ; taken++) {
                writer.malloc(64 * 1024);
            }
        } catch (BufferBudgetExceededException full) {
            assertThat(taken).isEqualTo(16);
        }
        writer.flush();
        LinkBuffer reader = new LinkBuffer(pool, 1024);
        BufferBudgetExceededException refusal = fillUntilRefused(reader);
        assertThat(refusal.isReserveProtected()).isFalse();
        AtomicInteger told = new AtomicInteger();
        Runnable callback = told::incrementAndGet;
        refusal.onMemoryAvailable(callback);
        refusal.onMemoryAvailable(callback); // the same callback: registered once
        assertThat(told).hasValue(0);
        writer.skip(64 * 1024);
        writer.release();
        assertThat(told)
                .as("a block went back to the free list: room for a read")
                .hasValue(1);
        assertThat(reader.fillFrom(endless(), 1024)).isPositive();
        writer.close();
        reader.close();
        assertThat(pool.stats().budgetRefusals()).isEqualTo(2);
    }

    @Test
    void theDefaultBudgetIsHalfTheJvmsDirectMemoryLimit() throws Exception {
        long jvm = BufferPool.jvmMaxDirectMemory();
        com.sun.management.HotSpotDiagnosticMXBean hotspot = java.lang.management.ManagementFactory.getPlatformMXBean(
                com.sun.management.HotSpotDiagnosticMXBean.class);
        long option = Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
        assertThat(jvm).isEqualTo(option > 0 ? option : Runtime.getRuntime().maxMemory());
        if (System.getProperty("netpoll.buffer.maxDirectBytes") == null) {
            assertThat(BufferPool.defaultMaxDirectBytes()).isEqualTo(jvm / 2);
            assertThat(BufferPool.builder().build().maxDirectBytes()).isEqualTo(jvm / 2);
        }
        assertThatThrownBy(() -> BufferPool.builder().maxDirectBytes(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
