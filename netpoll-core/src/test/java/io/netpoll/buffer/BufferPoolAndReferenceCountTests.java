package io.netpoll.buffer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Memory: slices and views keep their nodes alive, released nodes go back to the pool, the pool
 * ceiling bounds what is kept, an idle empty buffer holds nothing. Most tests use a pool of their
 * own so that the statistics are exact.
 */
class BufferPoolAndReferenceCountTests {

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Takes every free node of the pool it can get and overwrites it, then gives it back. */
    static void scribbleOverFreeMemory(BufferPool pool, int nodeSize, int bytes) throws Exception {
        List<LinkBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            LinkBuffer b = new LinkBuffer(pool, nodeSize);
            byte[] junk = new byte[bytes];
            Arrays.fill(junk, (byte) 0xEE);
            b.writeBinary(junk);
            b.flush();
            buffers.add(b);
        }
        buffers.forEach(LinkBuffer::close);
    }

    @Test
    void aSliceKeepsItsBytesAfterTheParentIsClosedAndItsMemoryIsReusedElsewhere() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        byte[] data = pattern(10_000, 1);
        LinkBuffer parent = new LinkBuffer(pool, 1024);
        parent.writeBinary(data);
        parent.flush();
        parent.skip(100);
        LinkBuffer slice = parent.slice(5_000);
        parent.close();
        assertThat(pool.stats().outstandingNodes())
                .as("nodes kept alive by the slice")
                .isPositive();

        scribbleOverFreeMemory(pool, 1024, 64 * 1024);

        assertThat(slice.readBinary(5_000)).isEqualTo(Arrays.copyOfRange(data, 100, 5_100));
        slice.close();
        assertThat(pool.stats().outstandingNodes()).isZero();
        assertThat(pool.stats().usedBytes()).isZero();
    }

    @Test
    void aSliceKeepsItsBytesWhileTheParentReadsReleasesAndWritesOnIntoTheSameNode() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        LinkBuffer parent = new LinkBuffer(pool, 4096);
        parent.writeString("0123456789");
        parent.flush();
        parent.skip(2);
        LinkBuffer slice = parent.slice(5); // "23456", in the parent's first node
        for (int round = 0; round < 100; round++) {
            parent.writeBinary(pattern(300, round));
            parent.flush();
            parent.skip(parent.len());
            parent.release();
            scribbleOverFreeMemory(pool, 4096, 8192);
        }
        assertThat(slice.readString(5)).isEqualTo("23456");
        slice.close();
        parent.close();
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void aSliceTakingWholeNodesAndPartOfAnotherCopiesNothingAndOutlivesTheParentThatWritesOn() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        byte[] data = pattern(4 * 1024, 3);
        // Four nodes of 1 KiB each, then a flushed write into the last one (the flush node).
        LinkBuffer parent = BufferLayout.appended(pool, data, BufferLayout.fixed(1024), true);
        parent.writeString("tail");
        parent.flush();
        long before = pool.stats().outstandingNodes();

        LinkBuffer slice = parent.slice(2 * 1024 + 100);

        assertThat(pool.stats().outstandingNodes())
                .as("no memory taken: two nodes move into the slice, the third is shared")
                .isEqualTo(before);
        parent.writeString("more");
        parent.flush();
        assertThat(parent.readBinary(parent.len() - 8)).isEqualTo(Arrays.copyOfRange(data, 2 * 1024 + 100, 4 * 1024));
        assertThat(parent.readString(8)).isEqualTo("tailmore");
        parent.close();
        scribbleOverFreeMemory(pool, 4096, 32 * 1024);
        assertThat(slice.readBinary(2 * 1024 + 100)).isEqualTo(Arrays.copyOf(data, 2 * 1024 + 100));
        slice.close();
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void aPooledReferenceNodeDoesNotKeepUnpooledMemoryReachable() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        LinkBuffer big = new LinkBuffer(pool);
        big.malloc(BufferPool.MAX_NODE_SIZE + 1); // contiguous, so one unpooled node
        big.flush();
        big.skip(1);
        LinkBuffer slice = big.slice(10); // a reference into the unpooled node
        slice.close();
        big.close();

        Node reference = pool.takeReference(); // the one just returned: free lists are LIFO
        assertThat(reference.memory)
                .as("memory of a returned reference to an unpooled block")
                .isNull();
        pool.recycleReference(reference);
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void aSliceOfASliceOutlivesBoth() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        byte[] data = pattern(3_000, 2);
        LinkBuffer inner;
        try (LinkBuffer parent = BufferLayout.appended(pool, data, BufferLayout.random(3, 700), true)) {
            try (LinkBuffer outer = parent.slice(2_500)) {
                outer.skip(500);
                inner = outer.slice(1_000);
            }
        }
        scribbleOverFreeMemory(pool, 4096, 16 * 1024);
        assertThat(inner.readBinary(1_000)).isEqualTo(Arrays.copyOfRange(data, 500, 1_500));
        inner.close();
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void viewsStayIntactUntilReleaseWhileTheWriterFillsTheRestOfTheirNode() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        try (LinkBuffer b = new LinkBuffer(pool, 4096)) {
            b.writeString("hello");
            b.flush();
            ByteBuffer view = b.next(5);
            for (int i = 0; i < 20; i++) {
                b.writeBinary(pattern(100, i));
                b.flush();
                b.skip(100);
            }
            byte[] seen = new byte[5];
            view.duplicate().get(seen);
            assertThat(new String(seen, java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("hello");
            b.release();
        }
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void releasedNodesGoBackToThePoolAndAreReused() throws Exception {
        BufferPool pool = BufferPool.create(4 << 20);
        assertThat(pool.stats())
                .extracting(
                        BufferPoolStats::usedBytes,
                        BufferPoolStats::pooledBytes,
                        BufferPoolStats::outstandingNodes,
                        BufferPoolStats::maxPooledBytes)
                .containsExactly(0L, 0L, 0L, 4L << 20);
        LinkBuffer b = new LinkBuffer(pool, 4096);
        b.writeBinary(pattern(64 * 1024, 3));
        b.flush();
        BufferPoolStats inUse = pool.stats();
        assertThat(inUse.usedBytes()).isGreaterThanOrEqualTo(64 * 1024);
        assertThat(inUse.outstandingNodes()).isPositive();

        b.skip(64 * 1024);
        b.release();
        BufferPoolStats released = pool.stats();
        assertThat(released.usedBytes()).as("after release: %s", released).isZero();
        assertThat(released.outstandingNodes()).isZero();
        assertThat(released.pooledBytes())
                .as("pooled after release: %s", released)
                .isGreaterThanOrEqualTo(inUse.usedBytes());

        b.writeBinary(pattern(64 * 1024, 4));
        b.flush();
        BufferPoolStats reused = pool.stats();
        assertThat(reused.pooledBytes())
                .as("taking memory again draws on the pool: %s", reused)
                .isLessThanOrEqualTo(released.pooledBytes() - 64 * 1024);
        b.close();
        assertThat(pool.stats().usedBytes()).isZero();
        assertThat(pool.stats().pooledBytes()).isEqualTo(released.pooledBytes());
    }

    @Test
    void thePoolCeilingBoundsTheMemoryItKeeps() {
        long ceiling = 32 * 1024;
        BufferPool pool = BufferPool.create(ceiling);
        List<LinkBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            LinkBuffer b = new LinkBuffer(pool, 8192);
            b.writeBinary(pattern(8192, i));
            buffers.add(b);
        }
        assertThat(pool.stats().usedBytes()).isGreaterThanOrEqualTo(64 * 8192);
        buffers.forEach(LinkBuffer::close);
        BufferPoolStats stats = pool.stats();
        assertThat(stats.maxPooledBytes()).isEqualTo(ceiling);
        assertThat(stats.pooledBytes())
                .as("pooled after returning 512 KiB: %s", stats)
                .isLessThanOrEqualTo(ceiling);
        assertThat(stats.usedBytes()).isZero();
        assertThat(stats.outstandingNodes()).isZero();
    }

    @Test
    void aPoolWithACeilingOfZeroKeepsNothing() {
        BufferPool pool = BufferPool.create(0);
        try (LinkBuffer b = new LinkBuffer(pool)) {
            b.writeBinary(pattern(20_000, 5));
        }
        assertThat(pool.stats())
                .extracting(
                        BufferPoolStats::usedBytes,
                        BufferPoolStats::pooledBytes,
                        BufferPoolStats::outstandingNodes,
                        BufferPoolStats::maxPooledBytes)
                .containsExactly(0L, 0L, 0L, 0L);
    }

    @Test
    void anIdleEmptyBufferHoldsNoNode() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        LinkBuffer b = new LinkBuffer(pool);
        assertThat(pool.stats().outstandingNodes()).as("a new buffer").isZero();

        b.writeString("request");
        b.flush();
        assertThat(pool.stats().outstandingNodes()).as("holding 7 bytes").isEqualTo(1);
        b.readString(7);
        b.release();
        assertThat(pool.stats().outstandingNodes())
                .as("after everything was read and released")
                .isZero();

        b.writeString("abc");
        b.flush();
        b.next(2);
        b.release();
        assertThat(pool.stats().outstandingNodes()).as("one byte still unread").isEqualTo(1);
        b.next(1);
        b.release();
        assertThat(pool.stats().outstandingNodes()).as("after the last byte").isZero();

        assertThat(b.fillFrom(Channels.newChannel(new ByteArrayInputStream(new byte[0])), 4096))
                .isEqualTo(-1);
        assertThat(pool.stats().outstandingNodes())
                .as("after a read that found end of stream")
                .isZero();

        b.malloc(100);
        b.mallocAck(0);
        b.flush();
        assertThat(pool.stats().outstandingNodes())
                .as("after malloc, mallocAck(0), flush")
                .isZero();

        b.writeString("to drain");
        b.flush();
        LinkBufferLayoutTests.StingyChannel channel = new LinkBufferLayoutTests.StingyChannel(100);
        assertThat(b.drainTo(channel)).isEqualTo(8);
        assertThat(pool.stats().outstandingNodes())
                .as("after drainTo took everything")
                .isZero();
        b.close();
    }

    @Test
    void anIdleEmptyBufferBuiltFromManyNodesHoldsNoNodeEither() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        try (LinkBuffer b = BufferLayout.appended(pool, pattern(100, 6), BufferLayout.fixed(1), true)) {
            assertThat(pool.stats().outstandingNodes()).isGreaterThanOrEqualTo(100);
            b.next(50); // spans 50 nodes: copied into scratch memory
            b.release();
            assertThat(pool.stats().outstandingNodes()).as("after reading half").isBetween(50L, 51L);
            b.next(50);
            b.release();
            assertThat(pool.stats().outstandingNodes())
                    .as("after reading everything")
                    .isZero();
        }
    }

    @Test
    void readsInsideOneNodeTakeNoMemory() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        try (LinkBuffer b = new LinkBuffer(pool)) {
            byte[] letters = new byte[1000];
            Arrays.fill(letters, (byte) 'a');
            b.writeBinary(letters);
            b.flush();
            BufferPoolStats before = pool.stats();
            ByteBuffer taken = b.next(300);
            ByteBuffer peeked = b.peek(300);
            b.skip(100);
            b.writeByte((byte) '\n');
            b.flush();
            ByteBuffer line = b.until((byte) '\n');
            assertThat(taken.remaining() + peeked.remaining() + line.remaining())
                    .isEqualTo(300 + 300 + 601);
            assertThat(taken.isDirect()).as("a view of direct node memory").isTrue();
            BufferPoolStats after = pool.stats();
            assertThat(after.usedBytes())
                    .as("next/peek/until inside one node copy nothing: %s", after)
                    .isEqualTo(before.usedBytes());
            assertThat(after.outstandingNodes()).isEqualTo(before.outstandingNodes());
            b.release();
        }
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void aReadThatSpansNodesUsesScratchMemoryFreedAtRelease() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        try (LinkBuffer b = BufferLayout.appended(pool, pattern(1000, 7), BufferLayout.fixed(100), true)) {
            b.skip(1);
            b.release();
            BufferPoolStats before = pool.stats();
            ByteBuffer view = b.peek(500);
            assertThat(view.remaining()).isEqualTo(500);
            assertThat(pool.stats().usedBytes())
                    .as("scratch for a read across nodes")
                    .isGreaterThan(before.usedBytes());
            b.release();
            BufferPoolStats after = pool.stats();
            assertThat(after.usedBytes())
                    .as("usedBytes after release: %s", after)
                    .isEqualTo(before.usedBytes());
            assertThat(after.outstandingNodes())
                    .as("nodes after release: %s", after)
                    .isEqualTo(before.outstandingNodes());
        }
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void appendAndSliceMoveNodeReferencesWithoutTakingMemory() throws Exception {
        BufferPool pool = BufferPool.create(4 << 20);
        try (LinkBuffer a = new LinkBuffer(pool);
                LinkBuffer b = new LinkBuffer(pool)) {
            a.writeString("head");
            b.writeBinary(pattern(64 * 1024, 8));
            b.flush();
            BufferPoolStats before = pool.stats();
            a.append(b);
            assertThat(pool.stats().usedBytes())
                    .as("usedBytes after appending 64 KiB")
                    .isEqualTo(before.usedBytes());
            a.flush();
            a.skip(4);
            LinkBuffer slice = a.slice(60 * 1024);
            assertThat(pool.stats().usedBytes())
                    .as("usedBytes after slicing 60 KiB")
                    .isLessThanOrEqualTo(before.usedBytes());
            assertThat(slice.readBinary(60 * 1024)).isEqualTo(Arrays.copyOf(pattern(64 * 1024, 8), 60 * 1024));
            slice.close();
            a.release();
        }
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void closeReturnsEveryNodeWhateverStateTheBufferIsIn() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        LinkBuffer b = BufferLayout.appended(pool, pattern(500, 9), BufferLayout.fixed(50), true);
        b.next(120); // scratch
        b.peek(100); // more scratch
        b.malloc(3000); // unflushed
        b.writeDirect(ByteBuffer.wrap(pattern(10, 10)), 1000);
        LinkBuffer other = new LinkBuffer(pool);
        other.writeString("appended, unflushed");
        b.append(other);
        other.close();
        b.close();
        assertThat(pool.stats().outstandingNodes()).isZero();
        assertThat(pool.stats().usedBytes()).isZero();
    }

    @Test
    void writeDirectNeitherPoolsNorWritesIntoTheCallersMemory() throws Exception {
        BufferPool pool = BufferPool.create(1 << 20);
        byte[] backing = new byte[100];
        Arrays.fill(backing, (byte) 7);
        ByteBuffer extra = ByteBuffer.wrap(backing, 10, 20); // bytes 10..29; 30..99 spare capacity
        long pooledBefore;
        try (LinkBuffer warm = new LinkBuffer(pool)) {
            warm.writeBinary(pattern(600, 0));
        }
        pooledBefore = pool.stats().pooledBytes();
        try (LinkBuffer b = new LinkBuffer(pool)) {
            b.writeString("A");
            b.writeDirect(extra, 0);
            b.writeBinary(pattern(500, 11)); // must go to a pool node, not after the caller's bytes
            b.writeByte((byte) 1);
            b.flush();
            assertThat(b.readBinary(1 + 20)).startsWith((byte) 'A', (byte) 7);
            assertThat(b.readBinary(500)).isEqualTo(pattern(500, 11));
            b.release();
        }
        byte[] expected = new byte[100];
        Arrays.fill(expected, (byte) 7);
        assertThat(backing).as("the caller's array").isEqualTo(expected);
        assertThat(pool.stats().pooledBytes())
                .as("the caller's memory never enters the pool")
                .isLessThanOrEqualTo(pooledBefore);
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void appendingABufferFromAnotherPoolGivesItsNodesBackToTheirOwnPool() throws Exception {
        // A connection's buffers and a user's buffers (new LinkBuffer(): the default pool) meet in
        // append; each node must go back to the pool it came from.
        BufferPool mine = BufferPool.create(1 << 20);
        BufferPool theirs = BufferPool.create(1 << 20);
        try (LinkBuffer a = new LinkBuffer(mine);
                LinkBuffer b = new LinkBuffer(theirs)) {
            b.writeBinary(pattern(10_000, 12));
            a.writeString("x");
            a.append(b);
            a.flush();
            assertThat(a.readBinary(10_001)).endsWith(pattern(10_000, 12));
            a.release();
        }
        assertThat(mine.stats())
                .as("the appending buffer's pool")
                .extracting(
                        BufferPoolStats::usedBytes, BufferPoolStats::outstandingNodes, BufferPoolStats::maxPooledBytes)
                .containsExactly(0L, 0L, 1L << 20);
        assertThat(theirs.stats().outstandingNodes())
                .as("outstanding nodes of the appended buffer's pool: %s", theirs.stats())
                .isZero();
        assertThat(theirs.stats().usedBytes()).isZero();
    }

    @Test
    @SuppressWarnings("try") // b is closed early on purpose; close() is idempotent
    void aSliceOfABufferFromAnotherPoolCanBeAppendedAndReleased() throws Exception {
        BufferPool mine = BufferPool.create(1 << 20);
        BufferPool theirs = BufferPool.create(1 << 20);
        try (LinkBuffer a = new LinkBuffer(mine);
                LinkBuffer b = new LinkBuffer(theirs)) {
            b.writeBinary(pattern(10_000, 13));
            b.flush();
            LinkBuffer slice = b.slice(6_000);
            a.append(slice);
            slice.close();
            b.close(); // the slice's nodes now die in a's chain
            a.flush();
            assertThat(a.readBinary(6_000)).isEqualTo(Arrays.copyOf(pattern(10_000, 13), 6_000));
            a.release();
        }
        assertThat(mine.stats().outstandingNodes()).as("%s", mine.stats()).isZero();
        assertThat(theirs.stats().outstandingNodes()).as("%s", theirs.stats()).isZero();
    }

    @Test
    void buffersOnManyThreadsSharingOnePoolGiveEveryNodeBack() throws Exception {
        BufferPool pool = BufferPool.create(256 * 1024);
        int threads = 4;
        BlockingQueue<LinkBuffer> handOver = new ArrayBlockingQueue<>(10_000);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                futures.add(executor.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 3_000; i++) {
                        byte[] data = pattern(1 + random.nextInt(9_000), i);
                        LinkBuffer b = new LinkBuffer(pool, 64 << random.nextInt(7));
                        b.writeBinary(data);
                        b.flush();
                        int cut = random.nextInt(data.length + 1);
                        LinkBuffer slice = b.slice(cut);
                        assertThat(b.readBinary(data.length - cut))
                                .isEqualTo(Arrays.copyOfRange(data, cut, data.length));
                        b.close();
                        // Closed by whichever thread takes it next: nodes cross threads and stripes.
                        if (!handOver.offer(slice)) {
                            slice.close();
                        }
                        LinkBuffer other = handOver.poll();
                        if (other != null) {
                            other.close();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            LinkBuffer left;
            while ((left = handOver.poll()) != null) {
                left.close();
            }
        }
        BufferPoolStats stats = pool.stats();
        assertThat(stats.outstandingNodes()).as("%s", stats).isZero();
        assertThat(stats.usedBytes()).as("%s", stats).isZero();
        assertThat(stats.pooledBytes()).as("%s", stats).isBetween(0L, 256L * 1024);
    }

    @Test
    void writesLargerThanTheLargestNodeAreServedAndTheirMemoryIsNotPooled() throws Exception {
        BufferPool pool = BufferPool.create(8L << 20);
        byte[] big = pattern(3 * BufferPool.MAX_NODE_SIZE + 5, 14);
        try (LinkBuffer b = new LinkBuffer(pool)) {
            b.writeBinary(big);
            ByteBuffer view = b.malloc(2 * BufferPool.MAX_NODE_SIZE);
            assertThat(view.remaining()).isEqualTo(2 * BufferPool.MAX_NODE_SIZE);
            byte[] tail = pattern(2 * BufferPool.MAX_NODE_SIZE, 15);
            view.put(tail);
            b.flush();
            assertThat(pool.stats().usedBytes()).isGreaterThanOrEqualTo(big.length + tail.length);
            assertThat(b.readBinary(big.length)).isEqualTo(big);
            ByteBuffer whole = b.next(tail.length);
            byte[] seen = new byte[tail.length];
            whole.duplicate().get(seen);
            assertThat(seen).isEqualTo(tail);
            b.release();
        }
        BufferPoolStats stats = pool.stats();
        assertThat(stats.usedBytes()).as("%s", stats).isZero();
        assertThat(stats.outstandingNodes()).as("%s", stats).isZero();
        assertThat(stats.pooledBytes()).as("%s", stats).isLessThanOrEqualTo(stats.maxPooledBytes());
    }

    @Test
    void everyBufferKnowsItsPoolAndTheDefaultPoolIsShared() {
        BufferPool pool = BufferPool.create(1024);
        try (LinkBuffer mine = new LinkBuffer(pool);
                LinkBuffer shared = new LinkBuffer()) {
            assertThat(mine.pool()).isSameAs(pool);
            assertThat(shared.pool()).isSameAs(BufferPool.defaultPool()).isSameAs(BufferPool.defaultPool());
            assertThat(BufferPool.defaultPool().stats().maxPooledBytes()).isPositive();
        }
    }
}
