package io.netpoll;

import io.netpoll.internal.Poller;
import io.netpoll.internal.Sysmon;
import io.netpoll.internal.WorkerPool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The owner of a set of pollers (event-loop threads, each with its own selector) and of the
 * default worker pool that runs handlers. Event loops and dialers register their connections
 * here; {@link #close()} stops the pollers, closing every connection and listener registered with
 * them, so a test or a Spring context can create and close groups many times in one JVM.
 * The static {@link Netpoll} API uses a default group.
 *
 * <p>Threading: all methods are thread-safe. Pollers start lazily, with the first connection or
 * listener. Errors: using a closed group gets {@link IllegalStateException}.
 */
public final class PollerGroup implements AutoCloseable {
    private static final AtomicInteger GROUP_IDS = new AtomicInteger();

    private final int id = GROUP_IDS.incrementAndGet();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicLong rebuilds = new AtomicLong();
    private final WorkerPool workers;
    private final Sysmon sysmon;
    private volatile Poller[] pollers = new Poller[0];
    private volatile int numLoops;
    private volatile LoadBalance loadBalance;
    private volatile long spinNanos = defaultSpinBeforeBlock().toNanos();
    private volatile boolean closed;

    private PollerGroup(int numLoops, LoadBalance loadBalance) {
        this(numLoops, loadBalance, null);
    }

    private PollerGroup(int numLoops, LoadBalance loadBalance, Sysmon monitor) {
        if (numLoops < 1) {
            throw new IllegalArgumentException("numLoops must be at least 1, was " + numLoops);
        }
        this.numLoops = numLoops;
        this.loadBalance = Objects.requireNonNull(loadBalance, "loadBalance");
        this.sysmon = monitor != null ? monitor : Sysmon.create("netpoll-" + id + "-");
        // Watched by the monitor: a worker-mode handler that holds its thread is reported.
        this.workers = new WorkerPool(
                "netpoll-" + id + "-worker-",
                Runtime.getRuntime().availableProcessors(),
                sysmon,
                Integer.MAX_VALUE,
                TimeUnit.SECONDS.toNanos(60),
                false);
    }

    /** A group with {@link #defaultNumLoops()} pollers and round-robin balancing. */
    public static PollerGroup create() {
        return new PollerGroup(defaultNumLoops(), LoadBalance.ROUND_ROBIN);
    }

    public static PollerGroup create(int numLoops) {
        return new PollerGroup(numLoops, LoadBalance.ROUND_ROBIN);
    }

    public static PollerGroup create(int numLoops, LoadBalance loadBalance) {
        return new PollerGroup(numLoops, loadBalance);
    }

    /**
     * For tests: a group whose monitor allows {@code maxSpares} spare role threads and reports
     * handler calls longer than {@code blockedThreshold}.
     */
    static PollerGroup create(int numLoops, int maxSpares, Duration blockedThreshold) {
        int id = GROUP_IDS.get() + 1; // the name only; ids stay unique through the constructor
        return new PollerGroup(
                numLoops,
                LoadBalance.ROUND_ROBIN,
                new Sysmon("netpoll-" + id + "-", maxSpares, blockedThreshold.toNanos()));
    }

    /**
     * For tests: as {@link #create(int, int, Duration)}, with the offload pool's thread
     * cap and idle keep-alive.
     */
    static PollerGroup create(
            int numLoops, int maxSpares, Duration blockedThreshold, int maxOffloadThreads, Duration offloadKeepAlive) {
        int id = GROUP_IDS.get() + 1; // the name only
        return new PollerGroup(
                numLoops,
                LoadBalance.ROUND_ROBIN,
                new Sysmon(
                        "netpoll-" + id + "-",
                        maxSpares,
                        blockedThreshold.toNanos(),
                        maxOffloadThreads,
                        offloadKeepAlive.toNanos()));
    }

    /** netpoll's default: one poller per 20 cores, plus one. */
    public static int defaultNumLoops() {
        return Runtime.getRuntime().availableProcessors() / 20 + 1;
    }

    /**
     * Changes the number of pollers that new connections are spread over. Growing starts pollers;
     * shrinking keeps the surplus pollers serving the connections they already have.
     */
    public synchronized void setNumLoops(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("numLoops must be at least 1, was " + n);
        }
        numLoops = n;
    }

    public int numLoops() {
        return numLoops;
    }

    public void setLoadBalance(LoadBalance lb) {
        this.loadBalance = Objects.requireNonNull(lb, "loadBalance");
    }

    public LoadBalance loadBalance() {
        return loadBalance;
    }

    /**
     * netpoll-java's default spin before blocking: {@code -Dnetpoll.poller.spinMicros} if set, else
     * 0 (pollers block at once).
     */
    public static Duration defaultSpinBeforeBlock() {
        return Duration.ofNanos(
                TimeUnit.MICROSECONDS.toNanos(Math.max(0, Long.getLong("netpoll.poller.spinMicros", 0))));
    }

    /**
     * Sets how long a poller that has just served ready connections keeps polling without blocking
     * before it sleeps in {@code select} ({@link Duration#ZERO}, the default: it sleeps at once).
     * A sleeping poller is woken by the next peer's write, which costs the peer a wake-up (an
     * inter-processor interrupt; on a VM, exits) and this poller a context switch. Polling a
     * little longer (20us is a good start) catches the next request of a busy server without
     * either: more throughput when the peers are the bottleneck (a cache, a proxy on its own
     * cores), but the polling is CPU spent, also when no request comes in time, and in worker mode
     * on a shared core it competes with the workers (docs/benchmarks.md). A poller whose traffic
     * stopped still sleeps: it polls only after a turn that found work. Applies to running pollers
     * from their next turn. Thread-safe.
     *
     * @throws IllegalArgumentException if negative or above one millisecond
     */
    public void setSpinBeforeBlock(Duration spin) {
        Objects.requireNonNull(spin, "spin");
        if (spin.isNegative() || spin.compareTo(Duration.ofMillis(1)) > 0) {
            throw new IllegalArgumentException("spin before block must be between 0 and 1ms, was " + spin);
        }
        synchronized (this) {
            spinNanos = spin.toNanos();
            for (Poller p : pollers) {
                p.setSpinNanos(spinNanos);
            }
        }
    }

    public Duration spinBeforeBlock() {
        return Duration.ofNanos(spinNanos);
    }

    public boolean isClosed() {
        return closed;
    }

    /** The default handler executor (grows as needed, so handlers may block). */
    Executor workers() {
        return workers;
    }

    /** The poller for a new connection or listener, by the load-balance policy. */
    Poller next() {
        if (closed) {
            throw new IllegalStateException("the poller group is closed");
        }
        Poller[] ps = pollers;
        int n = numLoops;
        if (ps.length < n) {
            ps = grow(n);
        }
        if (n == 1) {
            return ps[0];
        }
        int i = loadBalance == LoadBalance.RANDOM
                ? ThreadLocalRandom.current().nextInt(n)
                : Math.floorMod(roundRobin.getAndIncrement(), n);
        return ps[i];
    }

    private synchronized Poller[] grow(int n) {
        if (closed) {
            throw new IllegalStateException("the poller group is closed");
        }
        Poller[] ps = pollers;
        if (ps.length >= n) {
            return ps;
        }
        Poller[] bigger = Arrays.copyOf(ps, n);
        for (int i = ps.length; i < n; i++) {
            try {
                bigger[i] = new Poller("netpoll-" + id + "-poller-" + i, rebuilds, sysmon, spinNanos);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a selector", e);
            }
            bigger[i].start();
        }
        pollers = bigger;
        return bigger;
    }

    /**
     * Read-only gauges of this group's default worker pool (the executor of event loops and
     * dialers given neither {@link Option#executor} nor {@link Option#inlineHandlers}).
     */
    public WorkerPoolStats workerStats() {
        return workers.stats();
    }

    /**
     * Live views of this group's pollers, one per poller started so far (pollers start with the
     * first listener or connection), in index order; the list is a snapshot, each view reads its
     * poller's current values. The size is bounded by the largest {@link #numLoops()} ever set.
     */
    public java.util.List<PollerStats> pollerStats() {
        Poller[] ps = pollers;
        java.util.List<PollerStats> views = new java.util.ArrayList<>(ps.length);
        for (int i = 0; i < ps.length; i++) {
            views.add(view(i, ps[i]));
        }
        return views;
    }

    private static PollerStats view(int index, Poller p) {
        return new PollerStats() {
            @Override
            public int index() {
                return index;
            }

            @Override
            public String name() {
                return p.name();
            }

            @Override
            public String threadName() {
                Thread t = p.holderThread();
                return t == null ? null : t.getName();
            }

            @Override
            public String roleState() {
                return p.roleState();
            }

            @Override
            public int registrations() {
                return p.registrations();
            }

            @Override
            public int pendingTasks() {
                return p.pendingTasks();
            }

            @Override
            public long loopLagNanos() {
                return p.loopLagNanos();
            }

            @Override
            public long nanosSinceSelect() {
                return p.nanosSinceSelect();
            }

            @Override
            public long selectorRebuilds() {
                return p.selectorRebuilds();
            }

            @Override
            public String runningNow() {
                return p.runningNow();
            }

            @Override
            public String toString() {
                return p.name();
            }
        };
    }

    /** Read-only gauges of this group. */
    public PollerGroupStats stats() {
        return new PollerGroupStats() {
            @Override
            public int pollers() {
                int n = 0;
                for (Poller p : pollers) {
                    if (p.isRunning()) {
                        n++;
                    }
                }
                return n;
            }

            @Override
            public long pendingTasks() {
                long n = 0;
                for (Poller p : pollers) {
                    n += p.pendingTasks();
                }
                return n;
            }

            @Override
            public long registrations() {
                long n = 0;
                for (Poller p : pollers) {
                    n += p.registrations();
                }
                return n;
            }

            @Override
            public long selectorRebuilds() {
                return rebuilds.get();
            }

            @Override
            public long handlersBlocked() {
                return sysmon.blockedHandlers();
            }

            @Override
            public long roleHandOffs() {
                return sysmon.roleHandOffs();
            }

            @Override
            public int roleThreads() {
                return sysmon.threads();
            }

            @Override
            public int offloadThreads() {
                return sysmon.offloadThreads();
            }
        };
    }

    /**
     * Stops every poller (closing their connections and listeners; close callbacks still run) and
     * the worker pool. Waits up to a few seconds for the pollers to finish. Idempotent.
     */
    @Override
    public void close() {
        Poller[] ps;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            ps = pollers;
        }
        for (Poller p : ps) {
            p.shutdown(0);
        }
        for (Poller p : ps) {
            p.shutdown(5_000);
        }
        sysmon.shutdown();
        workers.shutdown();
    }

    @Override
    public String toString() {
        return "PollerGroup-" + id + "[numLoops=" + numLoops + ", " + loadBalance + (closed ? ", closed]" : "]");
    }
}
