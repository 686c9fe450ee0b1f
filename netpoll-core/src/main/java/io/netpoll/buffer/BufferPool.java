package io.netpoll.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Pooled direct memory for {@link LinkBuffer}s: nodes in power-of-two size classes from
 * {@value #MIN_NODE_SIZE} bytes to {@value #MAX_NODE_SIZE} bytes. Larger requests get an unpooled
 * block that is left to the garbage collector when released.
 *
 * <p>The pool is split into stripes chosen by the calling thread; a stripe is taken with one
 * compare-and-set and never waited for: a thread that finds its stripe busy or empty tries the
 * others once, then allocates (or, when returning memory, drops it). So there is no global lock
 * and no thread ever blocks on the pool. Memory kept in the pool is bounded by
 * {@link #create(long) maxPooledBytes}; beyond it returned nodes are freed. Blocks smaller than
 * {@value #SLAB_SIZE} bytes are carved from {@value #SLAB_SIZE}-byte slabs so that small nodes
 * do not each pay for a direct allocation.
 *
 * <p>Threading: every method may be called from any thread. Statistics are read without
 * stopping the pool and are approximate under load.
 *
 * <p>Leaks (nodes dropped without being released) are watched for as {@link LeakDetection} says,
 * reported through {@link System.Logger} {@code io.netpoll.buffer.leak} at WARNING unless a
 * listener is given, and counted in {@link BufferPoolStats#leaksDetected()}.
 *
 * <p>The default pool's ceiling is the system property {@code netpoll.buffer.maxPooledBytes}, or
 * an eighth of the maximum heap (which is also the JDK's default direct-memory limit), at most
 * 256 MiB ({@link #defaultMaxPooledBytes()}).
 *
 * <p>Ownership: whoever {@link #create(long) creates} a pool owns it and may {@link #close()} it
 * (a Spring context closes its own with the context): the free memory is dropped at once and from
 * then on returned memory is dropped instead of pooled, so it goes back to the JVM as soon as the
 * garbage collector reclaims it. A closed pool still serves buffers (unpooled), so a buffer that
 * outlives it keeps working. The {@link #defaultPool() default pool} belongs to the JVM: closing
 * it does nothing.
 */
public final class BufferPool implements AutoCloseable {

    static final int MIN_SHIFT = 6;
    static final int MAX_SHIFT = 20;
    public static final int MIN_NODE_SIZE = 1 << MIN_SHIFT;
    public static final int MAX_NODE_SIZE = 1 << MAX_SHIFT;
    static final int SLAB_SIZE = 64 * 1024;
    private static final int CLASSES = MAX_SHIFT - MIN_SHIFT + 1;
    private static final int REFERENCES = CLASSES;
    private static final int MAX_POOLED_REFERENCES = 4096;

    private static final System.Logger LEAK_LOG = System.getLogger("io.netpoll.buffer.leak");
    private static final Consumer<LeakReport> LOG_LEAK = r -> LEAK_LOG.log(System.Logger.Level.WARNING, r);
    private static final BufferPool DEFAULT = new BufferPool(defaultCeiling(), LeakDetection.fromSystemProperty(),
            LOG_LEAK);

    private final Stripe[] stripes;
    private final int mask;
    private final long maxPooledBytes;
    private final long stripeLimit;
    // Statistics change only on slow paths (new memory, memory dropped); a node moving between
    // a buffer and the pool costs nothing extra: used = allocated - dropped - pooled.
    private final LongAdder allocatedBytes = new LongAdder();
    private final LongAdder allocatedNodes = new LongAdder();
    private final LongAdder droppedBytes = new LongAdder();
    private final LongAdder droppedNodes = new LongAdder();
    private final LeakDetector leakDetector;
    /** Read when allocating only (a slow path): a closed pool carves no slabs. */
    private volatile boolean closed;

    private BufferPool(long maxPooledBytes, LeakDetection leakDetection, Consumer<? super LeakReport> onLeak) {
        this.leakDetector = new LeakDetector(Objects.requireNonNull(leakDetection, "leakDetection"),
                Objects.requireNonNull(onLeak, "onLeak"));
        if (maxPooledBytes < 0) {
            throw new IllegalArgumentException("maxPooledBytes must not be negative: " + maxPooledBytes);
        }
        int n = Integer.highestOneBit(Math.max(2, Math.min(64, Runtime.getRuntime().availableProcessors() * 2)) - 1) << 1;
        stripes = new Stripe[n];
        for (int i = 0; i < n; i++) {
            stripes[i] = new Stripe();
        }
        mask = n - 1;
        this.maxPooledBytes = maxPooledBytes;
        this.stripeLimit = maxPooledBytes / n;
    }

    /** The pool used by buffers created without one. */
    public static BufferPool defaultPool() {
        return DEFAULT;
    }

    /**
     * The ceiling of the default pool: the system property {@code netpoll.buffer.maxPooledBytes},
     * or an eighth of the maximum heap, at most 256 MiB. A sensible ceiling for a pool of one's own.
     *
     * <p>Errors: {@link NumberFormatException} if the system property is not a number.
     */
    public static long defaultMaxPooledBytes() {
        return defaultCeiling();
    }

    /**
     * A new pool that keeps at most {@code maxPooledBytes} bytes of free memory, with the leak
     * detection level of the system property {@code netpoll.leakDetection.level}, logging leaks.
     * Errors: {@link IllegalArgumentException} if {@code maxPooledBytes} is negative.
     */
    public static BufferPool create(long maxPooledBytes) {
        return new BufferPool(maxPooledBytes, LeakDetection.fromSystemProperty(), LOG_LEAK);
    }

    /**
     * A new pool with its own leak detection level, logging leaks through {@link System.Logger}
     * {@code io.netpoll.buffer.leak} at WARNING.
     * Errors: {@link IllegalArgumentException} if {@code maxPooledBytes} is negative.
     */
    public static BufferPool create(long maxPooledBytes, LeakDetection leakDetection) {
        return new BufferPool(maxPooledBytes, leakDetection, LOG_LEAK);
    }

    /** A new pool with its own leak detection level; {@code onLeak} gets each leak found. */
    public static BufferPool create(long maxPooledBytes, LeakDetection leakDetection,
            Consumer<? super LeakReport> onLeak) {
        return new BufferPool(maxPooledBytes, leakDetection, onLeak);
    }

    /**
     * Drops the free memory and pools nothing from now on: memory given back later is dropped
     * too. Buffers still in use keep working (new memory is then allocated unpooled), and the
     * statistics keep counting, so a leak check can still run after close. Idempotent; any
     * thread. Closing the {@link #defaultPool() default pool} does nothing: it is shared by the
     * whole JVM.
     */
    @Override
    public void close() {
        if (this == DEFAULT) {
            return;
        }
        closed = true;
        for (Stripe s : stripes) {
            // Stripe locks are held for a few instructions and never while blocking: spin.
            while (!s.tryLock()) {
                Thread.onSpinWait();
            }
            try {
                s.closed = true;
                for (int c = 0; c < CLASSES; c++) {
                    for (Node n = s.free[c]; n != null; n = n.poolNext) {
                        forget(n.capacity());
                    }
                }
                java.util.Arrays.fill(s.free, null);
                java.util.Arrays.fill(s.count, 0);
                s.addBytes(-s.bytes());
            } finally {
                s.unlock();
            }
        }
    }

    /** How closely this pool watches for leaked nodes. */
    public LeakDetection leakDetection() {
        return leakDetector.level();
    }

    /** Whether {@link #close()} was called (never true for the default pool). */
    public boolean isClosed() {
        return closed;
    }

    /** A snapshot of the pool's memory; also reports leaks found since the last look. */
    public BufferPoolStats stats() {
        leakDetector.poll(this);
        long dropped = droppedBytes.sum();
        long droppedCount = droppedNodes.sum();
        long pooled = 0;
        long pooledCount = 0;
        for (Stripe s : stripes) {
            pooled += s.bytes();
            pooledCount += s.memoryNodes();
        }
        return new BufferPoolStats(allocatedBytes.sum() - dropped - pooled,
                pooled, allocatedNodes.sum() - droppedCount - pooledCount, maxPooledBytes,
                leakDetector.leaksDetected());
    }

    /** An owner node of at least {@code size} bytes, holding one reference, empty. */
    Node take(int size) {
        if (size > MAX_NODE_SIZE) {
            return handOut(counted(new Node(this, Node.UNPOOLED, ByteBuffer.allocateDirect(size))));
        }
        int cls = sizeClass(size);
        Node node = pop(cls);
        if (node == null) {
            node = allocate(cls);
        }
        return handOut(node);
    }

    /** A reference node (no memory of its own) for slices and splits. */
    Node takeReference() {
        Node node = pop(REFERENCES);
        return node != null ? node : new Node(this, Node.REFERENCE, null);
    }

    /** An owner node over a caller's memory, never pooled nor counted. */
    Node wrap(ByteBuffer external) {
        Node node = new Node(null, Node.EXTERNAL, external.duplicate()).resetOwner();
        node.off = external.position();
        node.end = node.off;
        node.malloc = external.limit();
        node.writable = false;
        return node;
    }

    /** Takes back an owner whose reference count reached zero. */
    void recycle(Node owner) {
        if (owner.kind == Node.EXTERNAL) {
            return;
        }
        leakDetector.onRecycle(owner);
        if (owner.kind >= 0) {
            owner.resetViews();
            if (push(owner.kind, owner, owner.capacity())) {
                return;
            }
        }
        forget(owner.capacity());
    }

    /** Takes back a reference node that left its chain. */
    void recycleReference(Node reference) {
        if (reference.owner.kind < 0) {
            reference.forgetMemory();
        }
        reference.owner = reference;
        reference.next = null;
        reference.resetViews();
        push(REFERENCES, reference, 0);
    }

    private Node handOut(Node node) {
        leakDetector.onTake(node, this);
        return node.resetOwner();
    }

    /** A tracked node was garbage-collected while taken: its memory is gone, stop counting it. */
    void forgetLeaked(int capacity) {
        forget(capacity);
    }

    private void forget(int capacity) {
        droppedBytes.add(capacity);
        droppedNodes.increment();
    }

    private Node counted(Node node) {
        allocatedBytes.add(node.capacity());
        allocatedNodes.increment();
        return node;
    }

    private Node allocate(int cls) {
        int size = 1 << (cls + MIN_SHIFT);
        if (size >= SLAB_SIZE || stripeLimit < SLAB_SIZE || closed) {
            return counted(new Node(this, cls, ByteBuffer.allocateDirect(size)));
        }
        ByteBuffer slab = ByteBuffer.allocateDirect(SLAB_SIZE);
        for (int at = size; at < SLAB_SIZE; at += size) {
            if (!push(cls, counted(new Node(this, cls, slab.slice(at, size))), size)) {
                forget(size);
                break;
            }
        }
        return counted(new Node(this, cls, slab.slice(0, size)));
    }

    private Node pop(int cls) {
        int start = stripeIndex();
        for (int i = 0; i <= mask; i++) {
            Stripe s = stripes[(start + i) & mask];
            if (s.tryLock()) {
                Node node = s.free[cls];
                if (node != null) {
                    s.free[cls] = node.poolNext;
                    node.poolNext = null;
                    s.count[cls]--;
                    if (cls != REFERENCES) {
                        s.addBytes(-node.capacity());
                    }
                }
                s.unlock();
                if (node != null) {
                    return node;
                }
            }
        }
        return null;
    }

    private boolean push(int cls, Node node, int bytes) {
        int start = stripeIndex();
        for (int i = 0; i <= mask; i++) {
            Stripe s = stripes[(start + i) & mask];
            if (s.tryLock()) {
                // The closed flag is read under the stripe's lock, which push holds anyway: a
                // closed pool costs the hot path nothing.
                boolean room = !s.closed && (cls == REFERENCES
                        ? s.count[cls] < MAX_POOLED_REFERENCES
                        : s.bytes() + bytes <= stripeLimit);
                if (room) {
                    node.poolNext = s.free[cls];
                    s.free[cls] = node;
                    s.count[cls]++;
                    s.addBytes(bytes);
                }
                s.unlock();
                if (room) {
                    return true;
                }
            }
        }
        return false;
    }

    @SuppressWarnings("deprecation") // threadId() is Java 19+; getId() is the same number
    private int stripeIndex() {
        // Not hashCode(): the identity hash of a thread whose monitor was inflated (after a
        // wait() on it) costs ~18 ns, measured in the slice/append benchmark.
        long id = Thread.currentThread().getId();
        return (int) (id ^ (id >>> 16)) & mask;
    }

    static int sizeClass(int size) {
        if (size <= MIN_NODE_SIZE) {
            return 0;
        }
        return 32 - Integer.numberOfLeadingZeros(size - 1) - MIN_SHIFT;
    }

    private static long defaultCeiling() {
        String configured = System.getProperty("netpoll.buffer.maxPooledBytes");
        if (configured != null) {
            return Long.parseLong(configured.trim());
        }
        return Math.min(Runtime.getRuntime().maxMemory() / 8, 256L << 20);
    }

    /** One stripe: free lists per size class, guarded by a try-lock that is never waited on. */
    private static final class Stripe {
        private static final VarHandle LOCK;
        private static final VarHandle BYTES;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                LOCK = lookup.findVarHandle(Stripe.class, "lock", int.class);
                BYTES = lookup.findVarHandle(Stripe.class, "pooledBytes", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Node[] free = new Node[CLASSES + 1];
        final int[] count = new int[CLASSES + 1];
        /** Guarded by the lock: the pool was closed, take nothing back. */
        boolean closed;
        @SuppressWarnings("unused") // accessed through LOCK
        private int lock;
        @SuppressWarnings("unused") // accessed through BYTES
        private long pooledBytes;

        boolean tryLock() {
            return LOCK.compareAndSet(this, 0, 1);
        }

        void unlock() {
            LOCK.setRelease(this, 0);
        }

        long bytes() {
            return (long) BYTES.getOpaque(this);
        }

        /** Memory nodes held (reference nodes excluded); read racily, for statistics. */
        long memoryNodes() {
            long n = 0;
            for (int c = 0; c < CLASSES; c++) {
                n += count[c];
            }
            return n;
        }

        void addBytes(long delta) {
            BYTES.setOpaque(this, (long) BYTES.getOpaque(this) + delta);
        }
    }
}
