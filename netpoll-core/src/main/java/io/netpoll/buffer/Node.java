package io.netpoll.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One element of a {@link LinkBuffer}'s chain: a window {@code [off, end)} of readable bytes and
 * {@code [end, malloc)} of written-but-unflushed bytes over a block of memory.
 *
 * <p>A node either <em>owns</em> its memory ({@code owner == this}: a pooled block, an unpooled
 * large block, or a caller's buffer given to {@code writeDirect}) or <em>refers</em> to another
 * node's memory ({@code owner != this}: made by {@code slice}, {@code writeDirect}'s split and
 * {@code append} of shared tails). Only owners carry a reference count: every referring node
 * holds one count of its owner, and the owner's own chain position holds one. The memory goes
 * back to the pool when the count reaches zero, so a block is never reused while anything
 * still refers to it.
 *
 * <pre>
 *   memory: | released | readable (reader) | unflushed (writer) | free        |
 *           0         off                 end               malloc       capacity
 * </pre>
 *
 * <p>{@code off} belongs to the reader thread, {@code malloc} and {@code next} (while the node is
 * past the buffer's flush point) to the writer thread; {@code end} is written by the writer at
 * flush and read by the reader, published by the buffer's flushed count. View caches are
 * per side: {@link #readView} only on the reader thread, {@link #writeView} only on the writer.
 */
final class Node {

    private static final VarHandle REF_CNT;
    private static final VarHandle COMPANION_BUSY;

    static {
        try {
            REF_CNT = MethodHandles.lookup().findVarHandle(Node.class, "refCnt", int.class);
            COMPANION_BUSY = MethodHandles.lookup().findVarHandle(Node.class, "companionBusy", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Size class index in the pool, or one of the negative kinds below. */
    static final int UNPOOLED = -1;

    static final int EXTERNAL = -2;
    static final int REFERENCE = -3;

    private static final int VIEW_CACHE_LIMIT = 16;
    private static final ByteBuffer[] NO_VIEWS = new ByteBuffer[0];

    final int kind;
    /** Where this node object (and, for an owner, its memory) goes back; null for caller memory. */
    final BufferPool pool;

    ByteBuffer memory;
    Node owner;

    @SuppressWarnings("unused") // accessed through REF_CNT
    private volatile int refCnt;

    int off;
    int end;
    int malloc;
    /** False for memory that others may still write or that is not ours to write into. */
    boolean writable;

    Node next;

    private ByteBuffer[] readViews = NO_VIEWS;
    private int readViewsUsed;
    private long readViewEpoch;
    private ByteBuffer[] writeViews = NO_VIEWS;
    private int writeViewsUsed;
    private long writeViewEpoch;
    /**
     * A reference node's previous memory and its views: a pooled reference is rebound often,
     * typically alternating between two blocks (a connection's input fills one node while the
     * last one drains), and re-creating its views each time would allocate per message.
     */
    private ByteBuffer spareMemory;

    private ByteBuffer[] spareReadViews = NO_VIEWS;
    private ByteBuffer[] spareWriteViews = NO_VIEWS;

    /**
     * A pooled owner's own reference node, bound to this owner's memory for good, so that its
     * views stay valid from one use to the next: the pool's shared reference nodes are rebound to
     * a different owner's memory almost every time (one reference serves every connection in
     * turn), and each rebinding would allocate a view per message. Read and written only by the
     * thread that claimed it ({@link #claimCompanion}).
     */
    Node companion;
    /** On a companion reference node: the owner it belongs to (null on the pool's shared ones). */
    Node companionOf;

    @SuppressWarnings("unused") // accessed through COMPANION_BUSY
    private volatile int companionBusy;

    /** Slot used by the pool for its free lists. */
    Node poolNext;
    /** Set while a leak detector tracks this taken node. */
    LeakDetector.Record leakRecord;

    Node(BufferPool pool, int kind, ByteBuffer memory) {
        this.pool = pool;
        this.kind = kind;
        // Little-endian so that word-at-a-time scans find the first match in the lowest byte.
        // Views are duplicates and so big-endian, as users expect.
        this.memory = memory == null ? null : memory.order(ByteOrder.LITTLE_ENDIAN);
        this.owner = this;
    }

    int capacity() {
        return memory.capacity();
    }

    int readable() {
        return end - off;
    }

    int writableBytes() {
        return writable ? memory.capacity() - malloc : 0;
    }

    boolean isOwner() {
        return owner == this;
    }

    /** Prepares a fresh owner taken from the pool: one reference, empty. */
    Node resetOwner() {
        REF_CNT.setRelease(this, 1);
        off = 0;
        end = 0;
        malloc = 0;
        writable = true;
        next = null;
        return this;
    }

    /** Binds a reference node to {@code [from, to)} of {@code target}'s memory and retains it. */
    Node bindReference(Node target, int from, int to) {
        Node o = target.owner;
        o.retain();
        if (memory != o.memory) {
            ByteBuffer previous = memory;
            ByteBuffer[] previousReads = readViews;
            ByteBuffer[] previousWrites = writeViews;
            if (spareMemory == o.memory) {
                readViews = spareReadViews;
                writeViews = spareWriteViews;
            } else {
                readViews = NO_VIEWS;
                writeViews = NO_VIEWS;
            }
            memory = o.memory;
            spareMemory = previous;
            spareReadViews = previousReads;
            spareWriteViews = previousWrites;
            readViewsUsed = 0;
            writeViewsUsed = 0;
        }
        owner = o;
        off = from;
        end = to;
        malloc = to;
        writable = false;
        next = null;
        return this;
    }

    void retain() {
        int c = (int) REF_CNT.getAndAdd(this, 1);
        if (c <= 0) {
            REF_CNT.getAndAdd(this, -1);
            throw new IllegalStateException("buffer node already released (refCnt " + c + ")");
        }
    }

    /**
     * Drops this chain position's hold. Returns the owner whose count reached zero (to be
     * recycled by the caller), or null.
     */
    Node drop() {
        Node o = owner;
        int c = (int) REF_CNT.getAcquire(o);
        // Sole holder: nobody else can add a reference concurrently, so no atomic update needed.
        if (c == 1) {
            REF_CNT.setRelease(o, 0);
            return o;
        }
        c = (int) REF_CNT.getAndAdd(o, -1) - 1;
        if (c == 0) {
            return o;
        }
        if (c < 0) {
            throw new IllegalStateException("buffer node released twice");
        }
        return null;
    }

    int refCnt() {
        return (int) REF_CNT.getAcquire(this);
    }

    /** A view of {@code [from, to)} for the reader, valid until the buffer's next release. */
    ByteBuffer readView(int from, int to, long epoch) {
        if (readViewEpoch != epoch) {
            readViewEpoch = epoch;
            readViewsUsed = 0;
        }
        ByteBuffer v;
        if (readViewsUsed < readViews.length) {
            v = readViews[readViewsUsed++];
        } else {
            v = memory.duplicate();
            if (readViewsUsed < VIEW_CACHE_LIMIT) {
                readViews = grow(readViews, v);
                readViewsUsed++;
            }
        }
        return position(v, from, to);
    }

    /** A view of {@code [from, to)} for the writer, valid until the buffer's next flush. */
    ByteBuffer writeView(int from, int to, long epoch) {
        if (writeViewEpoch != epoch) {
            writeViewEpoch = epoch;
            writeViewsUsed = 0;
        }
        ByteBuffer v;
        if (writeViewsUsed < writeViews.length) {
            v = writeViews[writeViewsUsed++];
        } else {
            v = memory.duplicate();
            if (writeViewsUsed < VIEW_CACHE_LIMIT) {
                writeViews = grow(writeViews, v);
                writeViewsUsed++;
            }
        }
        return position(v, from, to);
    }

    /**
     * Drops a returned reference node's hold on memory that does not stay in the pool (unpooled
     * large blocks, callers' buffers), so a pooled reference node never keeps it reachable.
     */
    void forgetMemory() {
        memory = null;
        readViews = NO_VIEWS;
        writeViews = NO_VIEWS;
        spareMemory = null;
        spareReadViews = NO_VIEWS;
        spareWriteViews = NO_VIEWS;
        readViewsUsed = 0;
        writeViewsUsed = 0;
    }

    /** Owner: takes the right to use (or create) {@link #companion}; false while another holds it. */
    boolean claimCompanion() {
        return (int) COMPANION_BUSY.getOpaque(this) == 0 && COMPANION_BUSY.compareAndSet(this, 0, 1);
    }

    /** Owner: gives the companion back (its user is done with it). */
    void releaseCompanion() {
        COMPANION_BUSY.setRelease(this, 0);
    }

    /** Forgets handed-out views: called when the node goes back to the pool. */
    void resetViews() {
        readViewsUsed = 0;
        writeViewsUsed = 0;
    }

    private static ByteBuffer position(ByteBuffer v, int from, int to) {
        v.clear();
        v.limit(to);
        v.position(from);
        return v;
    }

    private static ByteBuffer[] grow(ByteBuffer[] views, ByteBuffer v) {
        ByteBuffer[] bigger = java.util.Arrays.copyOf(views, views.length + 1);
        bigger[views.length] = v;
        return bigger;
    }
}
