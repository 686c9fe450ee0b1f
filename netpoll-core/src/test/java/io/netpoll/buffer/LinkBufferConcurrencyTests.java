package io.netpoll.buffer;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One writer thread and one reader thread on one {@link LinkBuffer}, with every Writer and Reader
 * operation in the mix. The stream is a known function of the position, so the reader checks
 * every byte where it lands and a CRC32 over everything on both sides. Bounded by timeouts and a
 * deadline on every wait; no sleeps.
 */
class LinkBufferConcurrencyTests {

    static final long MIB = 1024 * 1024;

    /** The byte at {@code position} of the stream. */
    static byte streamByte(long position) {
        long x = position * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56 ^ position);
    }

    @Test
    void oneWriterAndOneReaderMove100MiBIntactThroughTheDefaultPool() throws Exception {
        transfer(new LinkBuffer(), 100 * MIB, 1);
    }

    @Test
    void oneWriterAndOneReaderMove16MiBIntactThroughTheSmallestNodes() throws Exception {
        BufferPool pool = BufferPool.create(4 * MIB);
        transfer(new LinkBuffer(pool, BufferPool.MIN_NODE_SIZE), 16 * MIB, 2);
        assertThat(pool.stats().outstandingNodes()).as("%s", pool.stats()).isZero();
    }

    @Test
    void oneWriterAndOneReaderMoveBytesThatTheReaderTakesAsSoonAsTheyAreFlushed() throws Exception {
        // Tiny writes and an eager reader: the buffer keeps running empty, so the reader's
        // release of the last node races with the writer's next malloc.
        transfer(new LinkBuffer(), 2 * MIB, 3, 16, 1024);
    }

    @Test
    void slicesOfOneBufferAppendedToAnotherOnAnotherThreadArriveIntact() throws Exception {
        // A proxy's data path: thread 1 writes the input buffer; thread 2 slices frames off it
        // and appends them to the output buffer (zero-copy: both buffers now refer to the same
        // nodes); thread 3 reads the output. The input's reader and the output's reader drop
        // references to the same nodes from different threads.
        long total = 32 * MIB;
        LinkBuffer in = new LinkBuffer();
        LinkBuffer out = new LinkBuffer();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        AtomicLong consumedIn = new AtomicLong();
        AtomicLong consumedOut = new AtomicLong();
        AtomicBoolean failed = new AtomicBoolean();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try {
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return write(in, total, new Random(4), 65_536, (int) MIB, consumedIn, failed, deadline);
                        } catch (Throwable t) {
                            failed.set(true);
                            throw new RuntimeException("writer failed", t);
                        }
                    },
                    threads);
            CompletableFuture<Void> relay = CompletableFuture.runAsync(
                    () -> {
                        try {
                            relay(in, out, total, new Random(5), consumedIn, consumedOut, failed, deadline);
                        } catch (Throwable t) {
                            failed.set(true);
                            throw new RuntimeException("relay failed", t);
                        }
                    },
                    threads);
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return read(out, total, new Random(6), 65_536, consumedOut, failed, deadline);
                        } catch (Throwable t) {
                            failed.set(true);
                            throw new RuntimeException("reader failed", t);
                        }
                    },
                    threads);
            long writtenCrc = writer.get(100, TimeUnit.SECONDS);
            relay.get(100, TimeUnit.SECONDS);
            long readCrc = reader.get(100, TimeUnit.SECONDS);
            assertThat(readCrc)
                    .as("CRC32 at the end of the relay vs at its start")
                    .isEqualTo(writtenCrc);
            assertThat(in.isEmpty()).isTrue();
            assertThat(out.isEmpty()).isTrue();
        } finally {
            failed.set(true);
            threads.shutdown();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            in.close();
            out.close();
        }
    }

    /** Reader of {@code in} and writer of {@code out}: slices and appends, or copies now and then. */
    private static void relay(
            LinkBuffer in,
            LinkBuffer out,
            long total,
            Random random,
            AtomicLong consumedIn,
            AtomicLong consumedOut,
            AtomicBoolean failed,
            long deadline)
            throws Exception {
        long position = 0;
        int spins = 0;
        while (position < total) {
            int len = in.len();
            if (len == 0) {
                checkDeadline(deadline, failed, "relay", position);
                pause(spins++);
                continue;
            }
            spins = 0;
            int n = Math.min(len, 1 + random.nextInt(random.nextBoolean() ? 100 : 20_000));
            if (random.nextInt(5) == 0) {
                out.writeBinary(in.next(n)); // the copying way, from a view
                in.release();
            } else {
                LinkBuffer frame = in.slice(n);
                out.append(frame);
                frame.close();
            }
            position += n;
            consumedIn.set(position);
            if (random.nextInt(3) == 0 || position == total) {
                out.flush();
            }
            if (position - consumedOut.get() > 4 * MIB) {
                out.flush();
                for (int wait = 0; position - consumedOut.get() > 4 * MIB; wait++) {
                    checkDeadline(deadline, failed, "relay", position);
                    pause(wait);
                }
            }
        }
        out.flush();
        in.release();
    }

    static void transfer(LinkBuffer buffer, long total, long seed) throws Exception {
        transfer(buffer, total, seed, 65_536, 4 * (int) MIB);
    }

    static void transfer(LinkBuffer buffer, long total, long seed, int maxChunk, int window) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        AtomicLong consumed = new AtomicLong();
        AtomicBoolean failed = new AtomicBoolean();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try {
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return write(buffer, total, new Random(seed), maxChunk, window, consumed, failed, deadline);
                        } catch (Throwable t) {
                            failed.set(true);
                            throw new RuntimeException("writer failed", t);
                        }
                    },
                    threads);
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return read(buffer, total, new Random(~seed), maxChunk, consumed, failed, deadline);
                        } catch (Throwable t) {
                            failed.set(true);
                            throw new RuntimeException("reader failed", t);
                        }
                    },
                    threads);
            long writtenCrc;
            long readCrc;
            try {
                writtenCrc = writer.get(100, TimeUnit.SECONDS);
                readCrc = reader.get(100, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failed.set(true);
                throw e;
            } catch (TimeoutException e) {
                failed.set(true);
                throw new AssertionError(
                        "transfer did not finish in time: " + consumed.get() + " of " + total + " bytes read, "
                                + buffer,
                        e);
            }
            assertThat(readCrc)
                    .as("CRC32 of what the reader took vs what the writer wrote")
                    .isEqualTo(writtenCrc);
            assertThat(consumed.get()).isEqualTo(total);
            assertThat(buffer.isEmpty()).isTrue();
        } finally {
            failed.set(true);
            threads.shutdown();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            buffer.close();
        }
    }

    /**
     * Waits a moment for the other thread: spins briefly, then yields the CPU, so that the two
     * threads make progress even when the machine (2 cores, JIT and GC threads) runs only one.
     */
    private static void pause(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    private static void checkDeadline(long deadline, AtomicBoolean failed, String who, long at) {
        if (failed.get()) {
            throw new IllegalStateException(who + " stops: the other side failed (at byte " + at + ")");
        }
        if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException(who + " timed out at byte " + at);
        }
    }

    private static long write(
            LinkBuffer b,
            long total,
            Random random,
            int maxChunk,
            int window,
            AtomicLong consumed,
            AtomicBoolean failed,
            long deadline)
            throws Exception {
        CRC32 crc = new CRC32();
        long position = 0;
        int sinceFlush = 0;
        while (position < total) {
            if (position - consumed.get() > window) {
                // Wait for the reader to catch up, with everything written visible to it.
                b.flush();
                sinceFlush = 0;
                for (int spins = 0; position - consumed.get() > window; spins++) {
                    checkDeadline(deadline, failed, "writer", position);
                    pause(spins);
                }
            }
            int n = (int) Math.min(
                    total - position, 1 + random.nextInt(random.nextInt(8) == 0 ? maxChunk : Math.min(maxChunk, 512)));
            byte[] chunk = new byte[n];
            for (int i = 0; i < n; i++) {
                chunk[i] = streamByte(position + i);
            }
            switch (random.nextInt(6)) {
                case 0 -> b.writeBinary(chunk);
                case 1 -> {
                    int spare = random.nextInt(16);
                    ByteBuffer view = b.malloc(n + spare);
                    view.put(chunk);
                    while (view.hasRemaining()) {
                        view.put((byte) 0x5A); // dropped by the mallocAck below
                    }
                    b.mallocAck(b.mallocLen() - spare);
                }
                case 2 -> {
                    for (byte x : chunk) {
                        b.writeByte(x);
                    }
                }
                case 3 -> {
                    // malloc(a + c), writeDirect(middle, c) == malloc(a), writeBinary(middle), malloc(c);
                    // the middle is a fresh array, never changed again.
                    int a = random.nextInt(n + 1);
                    int c = random.nextInt(n - a + 1);
                    ByteBuffer view = b.malloc(a + c);
                    if (a + c > 0) { // malloc(0)'s view is read-only today: see LinkBufferErrorTests
                        view.put(chunk, 0, a);
                        view.put(chunk, n - c, c);
                    }
                    b.writeDirect(ByteBuffer.wrap(java.util.Arrays.copyOfRange(chunk, a, n - c)), c);
                }
                case 4 -> {
                    LinkBuffer other = new LinkBuffer(b.pool());
                    int half = n / 2;
                    other.writeBinary(chunk, 0, half);
                    other.flush();
                    other.writeBinary(chunk, half, n - half);
                    b.append(other);
                    other.close();
                }
                default -> {
                    ByteBuffer direct = ByteBuffer.allocateDirect(n);
                    direct.put(chunk).flip();
                    b.writeBinary(direct);
                }
            }
            crc.update(chunk);
            position += n;
            sinceFlush++;
            if (random.nextInt(3) == 0 || position == total || sinceFlush > 8) {
                b.flush();
                sinceFlush = 0;
            }
        }
        b.flush();
        return crc.getValue();
    }

    private static long read(
            LinkBuffer b,
            long total,
            Random random,
            int maxChunk,
            AtomicLong consumed,
            AtomicBoolean failed,
            long deadline)
            throws Exception {
        CRC32 crc = new CRC32();
        long position = 0;
        int spins = 0;
        // Views stay valid until release(), whatever the writer does meanwhile: check them again then.
        java.util.List<ByteBuffer> views = new java.util.ArrayList<>();
        java.util.List<Long> viewPositions = new java.util.ArrayList<>();
        while (position < total) {
            int len = b.len();
            if (len == 0) {
                checkDeadline(deadline, failed, "reader", position);
                pause(spins++);
                continue;
            }
            spins = 0;
            int n = Math.min(len, 1 + random.nextInt(random.nextInt(8) == 0 ? maxChunk : Math.min(maxChunk, 512)));
            switch (random.nextInt(7)) {
                case 0 -> {
                    ByteBuffer view = b.next(n);
                    verify(view, position, n);
                    crc.update(view.duplicate());
                    views.add(view);
                    viewPositions.add(position);
                }
                case 1 -> {
                    ByteBuffer view = b.peek(n);
                    verify(view, position, n);
                    crc.update(view.duplicate());
                    b.skip(n);
                }
                case 2 -> {
                    byte[] copy = b.readBinary(n);
                    verify(ByteBuffer.wrap(copy), position, n);
                    crc.update(copy);
                }
                case 3 -> {
                    n = 1;
                    byte x = b.readByte();
                    assertThat(x).as("byte %d", position).isEqualTo(streamByte(position));
                    crc.update(x);
                }
                case 4 -> {
                    recheck(views, viewPositions); // slice() releases
                    LinkBuffer slice = b.slice(n);
                    try {
                        byte[] copy = slice.readBinary(n);
                        verify(ByteBuffer.wrap(copy), position, n);
                        crc.update(copy);
                    } finally {
                        slice.close();
                    }
                }
                case 5 -> {
                    byte delim = streamByte(position + n - 1);
                    int at = b.indexOf(delim);
                    assertThat(at).as("indexOf at byte %d", position).isBetween(0, n - 1);
                    ByteBuffer line = b.until(delim);
                    n = at + 1;
                    assertThat(line.remaining()).isEqualTo(n);
                    verify(line, position, n);
                    crc.update(line.duplicate());
                }
                default -> {
                    recheck(views, viewPositions); // drainTo() releases
                    LinkBufferLayoutTests.StingyChannel channel = new LinkBufferLayoutTests.StingyChannel(n);
                    n = (int) b.drainTo(channel);
                    byte[] drained = channel.out.toByteArray();
                    assertThat(drained.length).isEqualTo(n);
                    verify(ByteBuffer.wrap(drained), position, n);
                    crc.update(drained);
                }
            }
            position += n;
            consumed.set(position);
            if (random.nextInt(4) == 0 || views.size() > 64) {
                recheck(views, viewPositions);
                b.release();
            }
        }
        recheck(views, viewPositions);
        b.release();
        return crc.getValue();
    }

    private static void recheck(java.util.List<ByteBuffer> views, java.util.List<Long> positions) {
        for (int i = 0; i < views.size(); i++) {
            verify(views.get(i), positions.get(i), views.get(i).remaining());
        }
        views.clear();
        positions.clear();
    }

    private static void verify(ByteBuffer view, long position, int n) {
        assertThat(view.remaining()).as("bytes at %d", position).isEqualTo(n);
        int p = view.position();
        for (int i = 0; i < n; i++) {
            byte actual = view.get(p + i);
            if (actual != streamByte(position + i)) {
                throw new AssertionError("byte " + (position + i) + " is " + actual + ", expected "
                        + streamByte(position + i) + " (in a read of " + n + " bytes at " + position + ")");
            }
        }
    }
}
