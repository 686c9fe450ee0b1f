package io.netpoll.internal.tls;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pooled blocks for TLS ciphertext staging, in power-of-two sizes from 1 KiB to 64 KiB: heap blocks
 * ({@link #shared()}) for the JDK's engine, direct ones ({@link #sharedDirect()}) for native engines
 * and as the scratch through which heap ciphertext meets the socket.
 *
 * <p>Why heap, when plaintext lives in direct {@code BufferPool} nodes: the JDK's AES-GCM runs
 * about three times faster on heap arrays than on direct buffers (measured on JDK 17 and 25:
 * 11-17 µs against 35-59 µs per 16 KiB record), and the engine encrypts and decrypts in place in
 * the ciphertext buffer. So ciphertext is staged on the heap (as Netty's {@code SslHandler} does
 * for the JDK engine), and the engine's unavoidable copy moves plaintext between the heap block
 * and the direct nodes. The socket I/O goes through a direct block taken for the call (the JDK
 * would otherwise copy through its per-thread temporary buffer, whose thread-local lookups cost
 * more than the two compare-and-sets here).
 *
 * <p>Free blocks sit in a fixed array of slots per size, taken and returned with one
 * compare-and-set each, starting at a slot chosen by the calling thread, so threads rarely meet
 * and nothing allocates in steady state. A block that finds no free slot is dropped to the
 * garbage collector; sizes above 64 KiB are never pooled. So pooled memory is bounded
 * ({@link #maxPooledBytes()}). Any thread.
 */
public final class CipherBlocks {

    static final int MIN_SHIFT = 10;
    static final int MAX_SHIFT = 16;
    /** The largest pooled block. */
    public static final int MAX_BLOCK = 1 << MAX_SHIFT;
    /** Per size: enough for the blocks in use at one moment (most are given back within a pump call). */
    private static final int SLOTS_PER_CLASS = 64;

    private static final CipherBlocks SHARED = new CipherBlocks(SLOTS_PER_CLASS, false);
    private static final CipherBlocks SHARED_DIRECT = new CipherBlocks(SLOTS_PER_CLASS, true);

    private final AtomicReferenceArray<ByteBuffer>[] free;
    private final int slots;
    private final boolean direct;
    private final LongAdder taken = new LongAdder();
    private final LongAdder returned = new LongAdder();
    private final LongAdder takenBytes = new LongAdder();
    private final LongAdder returnedBytes = new LongAdder();

    @SuppressWarnings("unchecked")
    CipherBlocks(int slotsPerClass) {
        this(slotsPerClass, false);
    }

    CipherBlocks(int slotsPerClass, boolean direct) {
        this.direct = direct;
        slots = Integer.highestOneBit(slotsPerClass);
        free = new AtomicReferenceArray[MAX_SHIFT - MIN_SHIFT + 1];
        for (int i = 0; i < free.length; i++) {
            free[i] = new AtomicReferenceArray<>(slots);
        }
    }

    /** The heap blocks every session uses unless given others. */
    public static CipherBlocks shared() {
        return SHARED;
    }

    /** The direct blocks: staging for engines that prefer direct memory, and socket I/O scratch. */
    public static CipherBlocks sharedDirect() {
        return SHARED_DIRECT;
    }

    /** True when this pool's blocks are direct buffers. */
    public boolean isDirect() {
        return direct;
    }

    /** A heap block of at least {@code size} bytes, cleared (position 0, limit capacity). */
    ByteBuffer take(int size) {
        ByteBuffer b = pop(size);
        taken.increment();
        takenBytes.add(b.capacity());
        return b;
    }

    private ByteBuffer pop(int size) {
        int cls = sizeClass(size);
        if (cls >= free.length) {
            return allocate(size);
        }
        AtomicReferenceArray<ByteBuffer> f = free[cls];
        int start = start();
        for (int i = 0; i < slots; i++) {
            int at = (start + i) & (slots - 1);
            ByteBuffer b = f.get(at);
            if (b != null && f.compareAndSet(at, b, null)) {
                return b.clear();
            }
        }
        return allocate(1 << (cls + MIN_SHIFT));
    }

    private ByteBuffer allocate(int size) {
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    /** Gives a block back; it must not be used after. */
    void give(ByteBuffer block) {
        int cap = block.capacity();
        returned.increment();
        returnedBytes.add(cap);
        int cls = sizeClass(cap);
        if (cls >= free.length || cap != 1 << (cls + MIN_SHIFT)) {
            return;
        }
        AtomicReferenceArray<ByteBuffer> f = free[cls];
        int start = start();
        for (int i = 0; i < slots; i++) {
            int at = (start + i) & (slots - 1);
            if (f.get(at) == null && f.compareAndSet(at, null, block)) {
                return;
            }
        }
    }

    /** Blocks taken and not given back: what sessions hold now (0 when they are all idle). */
    public long outstanding() {
        return taken.sum() - returned.sum();
    }

    /** Bytes of the blocks taken and not given back. */
    public long outstandingBytes() {
        return takenBytes.sum() - returnedBytes.sum();
    }

    /** The most free memory this pool keeps. */
    public long maxPooledBytes() {
        long n = 0;
        for (int c = 0; c < free.length; c++) {
            n += (long) slots << (c + MIN_SHIFT);
        }
        return n;
    }

    @SuppressWarnings("deprecation") // threadId() is Java 19+; getId() is the same number
    private int start() {
        long id = Thread.currentThread().getId();
        return (int) (id * 0x9E3779B9L >>> 7) & (slots - 1);
    }

    static int sizeClass(int size) {
        if (size <= 1 << MIN_SHIFT) {
            return 0;
        }
        return 32 - Integer.numberOfLeadingZeros(size - 1) - MIN_SHIFT;
    }
}
