package io.netpoll.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

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
 * <h2>Memory budget</h2>
 * All direct memory the pool allocates (pooled size classes and unpooled large blocks) is counted
 * against a budget, {@link Builder#maxDirectBytes(long)}, checked with an atomic counter
 * <em>before</em> {@link ByteBuffer#allocateDirect}: as long as the budget is below the JVM's
 * limit, a thread of ours never enters the JDK's reservation path, which calls
 * {@code System.gc()} and sleeps when direct memory runs out. The default budget is half the
 * JVM's maximum direct memory ({@link #defaultMaxDirectBytes()}; the other half is headroom for
 * memory that was dropped but not yet collected, slabs kept alive by one carved block, and other
 * users of direct memory). At the budget, free memory of other size classes is dropped first;
 * then the request is refused with {@link BufferBudgetExceededException}: a socket reader stops
 * reading that socket until memory comes back
 * ({@link BufferBudgetExceededException#onMemoryAvailable}), a writer (handler) gets the exception
 * at once (it does not wait). The last eighth of the budget is kept for readers holding less than
 * {@link #HEAVY_READER_BYTES} unread bytes, so that connections that do not consume their input
 * are paused before the connections that do are. The default pool's budget is the system property
 * {@code netpoll.buffer.maxDirectBytes}, if set.
 *
 * <h2>Decay</h2>
 * Free memory that stayed unused for a whole {@link Builder#decay(Duration) decay interval} is
 * dropped (each stripe remembers, per size class, the lowest number of free blocks it held during
 * the interval; that many blocks were not needed). A daemon thread, {@code netpoll-buffer-decay},
 * shared by all pools, drives it; the hot path pays one comparison per pop. Dropped memory goes
 * back to the operating system when the garbage collector frees its {@code ByteBuffer} (a 64 KiB
 * slab once all its carved blocks are dropped). The default pool's interval is the system
 * property {@code netpoll.buffer.decayMillis} ({@link #defaultDecay()}), 30 s if unset.
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
    /** Index of unpooled large blocks in the per-class counters. */
    private static final int UNPOOLED_CLASS = CLASSES;
    /**
     * Unread bytes from which a reader counts as heavy: it may not take memory from the last
     * eighth of the budget (see the class comment).
     */
    public static final int HEAVY_READER_BYTES = SLAB_SIZE;
    /** Default decay interval: free memory unused this long is given back. */
    public static final Duration DEFAULT_DECAY = Duration.ofSeconds(30);

    private static final int LIGHT_WAITING = 1;
    private static final int HEAVY_WAITING = 2;
    private static final VarHandle WAITING;

    static {
        try {
            WAITING = MethodHandles.lookup().findVarHandle(BufferPool.class, "waiting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final System.Logger LEAK_LOG = System.getLogger("io.netpoll.buffer.leak");
    private static final Consumer<LeakReport> LOG_LEAK = r -> LEAK_LOG.log(System.Logger.Level.WARNING, r);
    private static final System.Logger LOG = System.getLogger(BufferPool.class.getName());
    private static final BufferPool DEFAULT = builder().build();

    private final Stripe[] stripes;
    private final int mask;
    private final long maxPooledBytes;
    private final long stripeLimit;
    // Statistics change only on slow paths (new memory, memory dropped); a node moving between
    // a buffer and the pool costs nothing extra: used = allocated - dropped - pooled. Per size
    // class, the last index counting unpooled large blocks.
    private final LongAdder[] allocatedBytes = adders();
    private final LongAdder[] allocatedNodes = adders();
    private final LongAdder[] droppedBytes = adders();
    private final LongAdder[] droppedNodes = adders();
    private final LongAdder decayedBytes = new LongAdder();
    private final LongAdder refusals = new LongAdder();
    private final LeakDetector leakDetector;
    /** The budget on all direct memory allocated and not yet dropped (pooled + used). */
    private final long maxDirectBytes;
    /** Seven eighths of the budget: what heavy readers may fill. */
    private final long heavyLimit;
    /**
     * Thirteen sixteenths: heavy readers are woken below it, not as soon as one block is back
     * (hysteresis: otherwise every block returned wakes every paused hoarder for one read).
     */
    private final long heavyResume;
    /** Direct memory allocated and not dropped; changed on slow paths only (allocate, drop). */
    private final AtomicLong reserved = new AtomicLong();
    /** Bits LIGHT_WAITING / HEAVY_WAITING: someone waits for memory; read on every recycle. */
    @SuppressWarnings("unused") // accessed through WAITING
    private volatile int waiting;

    private final Set<Runnable> lightWaiters = ConcurrentHashMap.newKeySet();
    private final Set<Runnable> heavyWaiters = ConcurrentHashMap.newKeySet();
    private final long decayNanos;
    private final LongSupplier ticker;
    /** When the last decay pass ran; written by the decay pass only. */
    private volatile long lastDecay;
    /** Read when allocating only (a slow path): a closed pool carves no slabs. */
    private volatile boolean closed;

    private BufferPool(long maxPooledBytes, LeakDetection leakDetection, Consumer<? super LeakReport> onLeak) {
        this(new Builder()
                .maxPooledBytes(maxPooledBytes)
                .leakDetection(leakDetection)
                .onLeak(onLeak));
    }

    private BufferPool(Builder b) {
        this.leakDetector = new LeakDetector(
                Objects.requireNonNull(b.leakDetection, "leakDetection"), Objects.requireNonNull(b.onLeak, "onLeak"));
        long maxPooledBytes = b.maxPooledBytes;
        if (maxPooledBytes < 0) {
            throw new IllegalArgumentException("maxPooledBytes must not be negative: " + maxPooledBytes);
        }
        this.maxDirectBytes = b.maxDirectBytes > 0 ? b.maxDirectBytes : defaultMaxDirectBytes();
        this.heavyLimit = maxDirectBytes - maxDirectBytes / 8;
        this.heavyResume = heavyLimit - maxDirectBytes / 16;
        this.decayNanos = (b.decay != null ? b.decay : defaultDecay()).toNanos();
        this.ticker = b.ticker;
        this.lastDecay = ticker.getAsLong();
        int n = Integer.highestOneBit(Math.max(
                                2, Math.min(64, Runtime.getRuntime().availableProcessors() * 2))
                        - 1)
                << 1;
        stripes = new Stripe[n];
        for (int i = 0; i < n; i++) {
            stripes[i] = new Stripe();
        }
        mask = n - 1;
        this.maxPooledBytes = maxPooledBytes;
        this.stripeLimit = maxPooledBytes / n;
        if (decayNanos > 0 && b.decayThread) {
            DecayThread.register(this);
        }
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[CLASSES + 1];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
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
     * The default memory budget: the system property {@code netpoll.buffer.maxDirectBytes}, or
     * half of the JVM's maximum direct memory ({@code -XX:MaxDirectMemorySize}, whose default is
     * the maximum heap), read through the HotSpot diagnostic MXBean when it is present.
     *
     * <p>Errors: {@link NumberFormatException} if the system property is not a number.
     */
    public static long defaultMaxDirectBytes() {
        String configured = System.getProperty("netpoll.buffer.maxDirectBytes");
        if (configured != null) {
            return Long.parseLong(configured.trim());
        }
        return jvmMaxDirectMemory() / 2;
    }

    /**
     * The default decay interval: the system property {@code netpoll.buffer.decayMillis}, or
     * {@link #DEFAULT_DECAY}. 0 disables decay.
     *
     * <p>Errors: {@link NumberFormatException} if the system property is not a number.
     */
    public static Duration defaultDecay() {
        String configured = System.getProperty("netpoll.buffer.decayMillis");
        return configured != null ? Duration.ofMillis(Long.parseLong(configured.trim())) : DEFAULT_DECAY;
    }

    /**
     * The JVM's limit on direct memory: {@code -XX:MaxDirectMemorySize} if set, else the maximum
     * heap (the JDK's own default). Read reflectively (no dependency on {@code jdk.management});
     * without the HotSpot MXBean the maximum heap.
     */
    static long jvmMaxDirectMemory() {
        long heap = Runtime.getRuntime().maxMemory();
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            Object bean = factory.getMethod("getPlatformMXBean", Class.class).invoke(null, beanType);
            Object option = beanType.getMethod("getVMOption", String.class).invoke(bean, "MaxDirectMemorySize");
            Object value = Class.forName("com.sun.management.VMOption")
                    .getMethod("getValue")
                    .invoke(option);
            long configured = Long.parseLong(String.valueOf(value).trim());
            return configured > 0 ? configured : heap;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "MaxDirectMemorySize not readable; assuming the maximum heap", e);
            return heap;
        }
    }

    /** A builder for a pool of one's own, starting from the defaults of the default pool. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings of a new pool. Not thread-safe; {@link #build()} may be called more than once.
     * Every setting starts at the default pool's value (system properties, see the getters'
     * {@code default*} methods).
     */
    public static final class Builder {
        private long maxPooledBytes = defaultCeiling();
        private long maxDirectBytes = -1;
        private Duration decay;
        private LeakDetection leakDetection = LeakDetection.fromSystemProperty();
        private Consumer<? super LeakReport> onLeak = LOG_LEAK;
        private LongSupplier ticker = System::nanoTime;
        private boolean decayThread = true;

        private Builder() {}

        /** The ceiling on free memory kept for reuse ({@link #defaultMaxPooledBytes()}). */
        public Builder maxPooledBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxPooledBytes must not be negative: " + bytes);
            }
            this.maxPooledBytes = bytes;
            return this;
        }

        /**
         * The budget on all direct memory the pool holds, in use or free
         * ({@link #defaultMaxDirectBytes()}); {@link Long#MAX_VALUE} for none.
         * Errors: {@link IllegalArgumentException} if not positive.
         */
        public Builder maxDirectBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxDirectBytes must be positive: " + bytes);
            }
            this.maxDirectBytes = bytes;
            return this;
        }

        /**
         * Free memory unused for this long is given back ({@link #defaultDecay()});
         * {@link Duration#ZERO} keeps it until the pool is closed.
         * Errors: {@link IllegalArgumentException} if negative.
         */
        public Builder decay(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("decay must not be negative: " + interval);
            }
            this.decay = interval;
            return this;
        }

        /** How closely the pool watches for leaked nodes. */
        public Builder leakDetection(LeakDetection level) {
            this.leakDetection = Objects.requireNonNull(level, "leakDetection");
            return this;
        }

        /** Gets each leak found (default: logged at WARNING on {@code io.netpoll.buffer.leak}). */
        public Builder onLeak(Consumer<? super LeakReport> listener) {
            this.onLeak = Objects.requireNonNull(listener, "onLeak");
            return this;
        }

        /** Tests: the clock of the decay, in nanoseconds. */
        Builder ticker(LongSupplier nanos) {
            this.ticker = Objects.requireNonNull(nanos, "ticker");
            return this;
        }

        /** Tests: no decay thread; the test calls {@link BufferPool#decayTick()}. */
        Builder manualDecay() {
            this.decayThread = false;
            return this;
        }

        /** The new pool. */
        public BufferPool build() {
            return new BufferPool(this);
        }
    }

    /**
     * A new pool that keeps at most {@code maxPooledBytes} bytes of free memory, with the leak
     * detection level of the system property {@code netpoll.leakDetection.level}, logging leaks,
     * and the default budget and decay ({@link #defaultMaxDirectBytes()}, {@link #defaultDecay()};
     * {@link #builder()} sets them).
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
    public static BufferPool create(
            long maxPooledBytes, LeakDetection leakDetection, Consumer<? super LeakReport> onLeak) {
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
                java.util.Arrays.fill(s.low, 0);
                s.addBytes(-s.bytes());
            } finally {
                s.unlock();
            }
        }
        memoryReturned();
    }

    /** How closely this pool watches for leaked nodes. */
    public LeakDetection leakDetection() {
        return leakDetector.level();
    }

    /** Whether {@link #close()} was called (never true for the default pool). */
    public boolean isClosed() {
        return closed;
    }

    /** The decay interval: free memory unused this long is dropped ({@link Duration#ZERO}: never). */
    public Duration decay() {
        return Duration.ofNanos(decayNanos);
    }

    /** The budget on direct memory this pool holds (in use and free). */
    public long maxDirectBytes() {
        return maxDirectBytes;
    }

    /** A snapshot of the pool's memory; also reports leaks found since the last look. */
    public BufferPoolStats stats() {
        leakDetector.poll(this);
        long used = 0;
        long pooled = 0;
        long outstanding = 0;
        long[] pooledPerClass = new long[CLASSES];
        long[] pooledNodesPerClass = new long[CLASSES];
        for (Stripe s : stripes) {
            for (int c = 0; c < CLASSES; c++) {
                long n = s.count[c]; // racy read, for statistics
                pooledNodesPerClass[c] += n;
                pooledPerClass[c] += n << (c + MIN_SHIFT);
            }
        }
        List<BufferPoolStats.SizeClass> classes = new ArrayList<>(CLASSES + 1);
        for (int c = 0; c <= CLASSES; c++) {
            long p = c < CLASSES ? pooledPerClass[c] : 0;
            long pn = c < CLASSES ? pooledNodesPerClass[c] : 0;
            long u = Math.max(0, allocatedBytes[c].sum() - droppedBytes[c].sum() - p);
            long un = Math.max(0, allocatedNodes[c].sum() - droppedNodes[c].sum() - pn);
            used += u;
            pooled += p;
            outstanding += un;
            classes.add(new BufferPoolStats.SizeClass(c < CLASSES ? 1 << (c + MIN_SHIFT) : -1, u, p));
        }
        return new BufferPoolStats(
                used,
                pooled,
                outstanding,
                maxPooledBytes,
                leakDetector.leaksDetected(),
                maxDirectBytes,
                reserved.get(),
                refusals.sum(),
                decayedBytes.sum(),
                List.copyOf(classes));
    }

    /** An owner node of at least {@code size} bytes, holding one reference, empty. */
    Node take(int size) {
        return take(size, -1);
    }

    /**
     * An owner node of at least {@code size} bytes for a reader already holding {@code held}
     * unread bytes (-1: a writer). Errors: {@link BufferBudgetExceededException} at the budget.
     */
    Node take(int size, long held) {
        if (held >= HEAVY_READER_BYTES && reserved.get() + size > heavyLimit && usedBytes() + size > heavyLimit) {
            // Keep the last eighth for connections that consume what they read.
            throw refuse(size, held, true);
        }
        if (size > MAX_NODE_SIZE) {
            reserveOrRefuse(size, held);
            return handOut(counted(new Node(this, Node.UNPOOLED, direct(size)), UNPOOLED_CLASS));
        }
        int cls = sizeClass(size);
        Node node = pop(cls);
        if (node == null) {
            node = allocate(cls, held);
        }
        return handOut(node);
    }

    /** Memory handed out: reserved minus what the stripes hold (racy; a slow-path estimate). */
    private long usedBytes() {
        long pooled = 0;
        for (Stripe s : stripes) {
            pooled += s.bytes();
        }
        return reserved.get() - pooled;
    }

    private BufferBudgetExceededException refuse(long size, long held, boolean reserve) {
        refusals.increment();
        // Readers expect refusals (they pause): no stack trace. Writers get one, for the handler's log.
        return new BufferBudgetExceededException(this, size, Math.max(0, held), reserve, held < 0);
    }

    /** Counts {@code bytes} against the budget, dropping free memory if that makes room. */
    private boolean reserve(long bytes) {
        for (int attempt = 0; ; attempt++) {
            if (reserved.addAndGet(bytes) <= maxDirectBytes) {
                return true;
            }
            reserved.addAndGet(-bytes);
            if (attempt > 0 || trimFree(bytes) == 0) {
                return false;
            }
        }
    }

    private void reserveOrRefuse(long bytes, long held) {
        if (!reserve(bytes)) {
            throw refuse(bytes, held, false);
        }
    }

    /**
     * Runs {@code callback} when memory comes back (see
     * {@link BufferBudgetExceededException#onMemoryAvailable}); {@code heavy}: once the memory in
     * use is below seven eighths of the budget.
     */
    void awaitMemory(Runnable callback, boolean heavy) {
        Objects.requireNonNull(callback, "callback");
        (heavy ? heavyWaiters : lightWaiters).add(callback);
        WAITING.getAndBitwiseOr(this, heavy ? HEAVY_WAITING : LIGHT_WAITING);
        // Memory may have come back before we registered: look once more.
        memoryReturned();
    }

    /**
     * Memory went back to the free lists or was dropped: wake whoever waits for it and may now be
     * served (light: room for a read of 64 KiB, free or allocatable; heavy: the memory in use is
     * below thirteen sixteenths of the budget). Runs only while someone waits.
     */
    private void memoryReturned() {
        int w = (int) WAITING.getVolatile(this);
        if ((w & LIGHT_WAITING) != 0 && usedBytes() + SLAB_SIZE <= maxDirectBytes) {
            // Clear first, then drain: a waiter added meanwhile sets the bit again.
            WAITING.getAndBitwiseAnd(this, ~LIGHT_WAITING);
            wake(lightWaiters);
        }
        if ((w & HEAVY_WAITING) != 0 && usedBytes() < heavyResume) {
            WAITING.getAndBitwiseAnd(this, ~HEAVY_WAITING);
            wake(heavyWaiters);
        }
    }

    private static void wake(Set<Runnable> waiters) {
        for (Iterator<Runnable> it = waiters.iterator(); it.hasNext(); ) {
            Runnable r = it.next();
            it.remove();
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a memory-available callback failed", e);
            }
        }
    }

    /**
     * A reference node for a slice of {@code target}'s memory: the owner's companion when it is
     * free (a pooled owner's memory never changes, so the companion's views are reused and the
     * slice allocates nothing), else one of the pool's shared reference nodes.
     */
    Node takeReference(Node target) {
        Node o = target.owner;
        if (o.kind >= 0 && o.claimCompanion()) {
            Node c = o.companion; // read after the claim: only its holder writes it
            if (c == null) {
                c = new Node(this, Node.REFERENCE, null);
                c.companionOf = o;
                o.companion = c;
            }
            return c;
        }
        return takeReference();
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
                if ((int) WAITING.getOpaque(this) != 0) {
                    memoryReturned();
                }
                return;
            }
        }
        forget(owner.capacity());
        if ((int) WAITING.getOpaque(this) != 0) {
            memoryReturned();
        }
    }

    /** Takes back a reference node that left its chain. */
    void recycleReference(Node reference) {
        Node of = reference.companionOf;
        if (of != null) {
            // Stays with its owner (and its memory); free for the owner's next slice.
            reference.owner = reference;
            reference.next = null;
            reference.resetViews();
            of.releaseCompanion();
            return;
        }
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
        int cls = capacity > MAX_NODE_SIZE ? UNPOOLED_CLASS : sizeClass(capacity);
        droppedBytes[cls].add(capacity);
        droppedNodes[cls].increment();
        reserved.addAndGet(-capacity);
    }

    private Node counted(Node node, int cls) {
        allocatedBytes[cls].add(node.capacity());
        allocatedNodes[cls].increment();
        return node;
    }

    private Node allocate(int cls, long held) {
        int size = 1 << (cls + MIN_SHIFT);
        boolean slab = size < SLAB_SIZE && stripeLimit >= SLAB_SIZE && !closed;
        if (slab && !reserve(SLAB_SIZE)) {
            slab = false; // near the budget: take just the block
        }
        if (!slab) {
            reserveOrRefuse(size, held);
            return counted(new Node(this, cls, direct(size)), cls);
        }
        ByteBuffer slabMemory = direct(SLAB_SIZE);
        for (int at = size; at < SLAB_SIZE; at += size) {
            if (!push(cls, counted(new Node(this, cls, slabMemory.slice(at, size)), cls), size)) {
                // Not pooled: this block is dropped and the rest is never carved, so neither counts
                // against the budget (the JDK still holds the slab until the block in use is
                // collected: part of the headroom the default budget leaves).
                forget(size);
                reserved.addAndGet(-(SLAB_SIZE - at - size));
                break;
            }
        }
        return counted(new Node(this, cls, slabMemory.slice(0, size)), cls);
    }

    /** Direct memory already counted against the budget; uncounted again if the JDK refuses it. */
    private ByteBuffer direct(int size) {
        try {
            return ByteBuffer.allocateDirect(size);
        } catch (OutOfMemoryError e) {
            // The JDK's own limit (other users of direct memory, garbage not yet collected).
            reserved.addAndGet(-size);
            throw e;
        }
    }

    /**
     * Drops free memory, largest classes first, until {@code wanted} bytes are dropped or nothing
     * is left; the bytes dropped. For the budget: dropped memory makes room for new allocations.
     */
    private long trimFree(long wanted) {
        long dropped = 0;
        for (int c = CLASSES - 1; c >= 0 && dropped < wanted; c--) {
            for (Stripe s : stripes) {
                if (dropped >= wanted) {
                    break;
                }
                if (!s.tryLock()) {
                    continue; // a busy stripe: never wait
                }
                try {
                    while (dropped < wanted && s.free[c] != null) {
                        dropped += dropHead(s, c);
                    }
                } finally {
                    s.unlock();
                }
            }
        }
        return dropped;
    }

    /** Under the stripe's lock: drops the first free block of class {@code c}; its size. */
    private int dropHead(Stripe s, int c) {
        Node node = s.free[c];
        s.free[c] = node.poolNext;
        node.poolNext = null;
        s.count[c]--;
        if (s.low[c] > s.count[c]) {
            s.low[c] = s.count[c];
        }
        int size = node.capacity();
        s.addBytes(-size);
        forget(size);
        return size;
    }

    /**
     * One decay pass, if a decay interval has passed since the last: in each stripe and size
     * class, the blocks that stayed free for the whole interval (the lowest free count seen) are
     * dropped. Called by the decay thread (or by tests); any thread.
     */
    void decayTick() {
        long now = ticker.getAsLong();
        if (decayNanos <= 0 || now - lastDecay < decayNanos) {
            return;
        }
        lastDecay = now;
        long dropped = 0;
        for (Stripe s : stripes) {
            // Held for a few instructions per block by everyone else: spin.
            while (!s.tryLock()) {
                Thread.onSpinWait();
            }
            try {
                for (int c = 0; c <= CLASSES; c++) {
                    int idle = s.low[c];
                    for (int i = 0; i < idle && s.free[c] != null; i++) {
                        if (c == REFERENCES) {
                            Node node = s.free[c];
                            s.free[c] = node.poolNext;
                            node.poolNext = null;
                            s.count[c]--;
                        } else {
                            dropped += dropHead(s, c);
                        }
                    }
                    s.low[c] = s.count[c];
                }
            } finally {
                s.unlock();
            }
        }
        if (dropped > 0) {
            decayedBytes.add(dropped);
            memoryReturned();
        }
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
                    int left = --s.count[cls];
                    if (left < s.low[cls]) {
                        s.low[cls] = left; // decay: these blocks were needed in this interval
                    }
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
                boolean room = !s.closed
                        && (cls == REFERENCES
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

    /**
     * The one daemon thread that runs every pool's decay passes. Pools are held weakly, so a pool
     * dropped without {@link #close()} is not kept alive by it; closed pools are removed.
     */
    private static final class DecayThread {
        private static final List<WeakReference<BufferPool>> POOLS = new CopyOnWriteArrayList<>();
        private static final long MAX_PERIOD = Duration.ofSeconds(1).toNanos();
        private static final long MIN_PERIOD = Duration.ofMillis(10).toNanos();
        private static volatile long period = MAX_PERIOD;
        private static Thread thread;

        static synchronized void register(BufferPool pool) {
            POOLS.add(new WeakReference<>(pool));
            // Look a few times per interval, so a block is dropped between one and 1.25 intervals.
            period = Math.max(MIN_PERIOD, Math.min(period, pool.decayNanos / 4));
            if (thread == null) {
                thread = new Thread(DecayThread::run, "netpoll-buffer-decay");
                thread.setDaemon(true);
                thread.start();
            } else {
                LockSupport.unpark(thread);
            }
        }

        private static void run() {
            for (; ; ) {
                LockSupport.parkNanos(period);
                for (WeakReference<BufferPool> ref : POOLS) {
                    BufferPool pool = ref.get();
                    if (pool == null || pool.closed) {
                        POOLS.remove(ref);
                        continue;
                    }
                    try {
                        pool.decayTick();
                    } catch (RuntimeException | Error e) {
                        LOG.log(System.Logger.Level.WARNING, "buffer pool decay failed", e);
                    }
                }
            }
        }
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
        /** Decay: the lowest count per class since the last decay pass. */
        final int[] low = new int[CLASSES + 1];
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
