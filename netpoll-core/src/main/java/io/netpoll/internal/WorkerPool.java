package io.netpoll.internal;

import io.netpoll.WorkerPoolStats;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The default handler executor (netpoll's gopool).
 *
 * <p>Why not a cached {@code ThreadPoolExecutor}: its {@code SynchronousQueue} hand-off needs a
 * worker waiting at the very moment of each dispatch, otherwise it starts a thread; under load
 * that means a context switch (and often a new thread) per request. Here:
 * <ul>
 * <li>Connection tasks are queued intrusively (the connection is the queue node; its processing
 *     flag guarantees it is queued at most once), so a dispatch allocates nothing.</li>
 * <li>A worker drains the queue before it parks, and a dispatch wakes a parked worker only when
 *     fewer than {@code parallelism} workers are running: under load, handlers chain on a running
 *     worker without any wake-up.</li>
 * <li>Handlers may block in {@code next(n)} or {@code flush()}: the connection reports it
 *     ({@link #beginBlocking()}), and the pool then starts or wakes another worker if work is
 *     queued, like {@code ForkJoinPool.managedBlock}. A handler that blocks on something else
 *     (a database call) holds its worker without compensation; give such handlers an executor of
 *     their own ({@code Option.executor}).</li>
 * <li>Idle workers exit after 60 s.</li>
 * <li>Watched by the poller group's {@link Sysmon} (when given one): every task bumps its worker's
 *     call counter ({@link CallTrackedThread}), so a task that holds its worker longer than the
 *     blocked-thread threshold is reported and counted like a blocked adaptive handler.</li>
 * <li>A <em>compensating</em> pool (the offload pool: adaptive connections whose handlers block
 *     outside netpoll) also gets threads from the monitor: at a tick where fewer than
 *     {@code parallelism} of its running workers made progress since the previous tick (the
 *     others sit in one task, blocked in anything) and tasks are queued, every queued task gets a
 *     thread (an idle one, else a new one), up to {@code maxThreads}. So blocking connections do
 *     not queue behind each other, as Go gives each goroutine blocked in a syscall a thread;
 *     beyond the cap they wait for a thread, and the rest of the process is not affected.</li>
 * </ul>
 * Thread-safe; one monitor guards the queue and the counters (short critical sections). The
 * {@link WorkerPoolStats} read the same counters under that monitor; the completed-task count is
 * kept where a worker already holds it to take its next task, so statistics cost no atomic
 * operation per task.
 */
public final class WorkerPool implements Executor {
    private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final String prefix;
    private final int parallelism;
    private final Sysmon sysmon;
    private final int maxThreads;
    private final long keepAliveNanos;
    private final boolean compensating;
    /** Live workers, for the monitor's ticks (changes only when a worker starts or exits). */
    private final CowArray<Worker> workers = new CowArray<>();

    private final Object lock = new Object();
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private final ArrayDeque<Runnable> others = new ArrayDeque<>();
    private NioConnection head;
    private NioConnection tail;
    private int queued;
    private int threads;
    private int running;
    private int ids;
    /** Threads woken or started by the monitor because the running ones were blocked. */
    private long compensations;
    /** Tasks finished; counted under the lock a worker takes anyway to poll its next task. */
    private long completed;

    private volatile boolean shutdown;
    private final WorkerPoolStats stats = new Stats();

    /** A pool nobody watches, without a thread cap. */
    public WorkerPool(String prefix, int parallelism) {
        this(prefix, parallelism, null, Integer.MAX_VALUE, KEEP_ALIVE_NANOS, false);
    }

    /**
     * @param sysmon the monitor that watches this pool's tasks (blocked-thread report), or null
     * @param maxThreads the cap on threads (at least {@code parallelism})
     * @param keepAliveNanos how long an idle worker stays before it exits
     * @param compensating whether the monitor adds threads when the running ones are blocked
     */
    public WorkerPool(
            String prefix, int parallelism, Sysmon sysmon, int maxThreads, long keepAliveNanos, boolean compensating) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.prefix = prefix;
        this.parallelism = parallelism;
        this.sysmon = sysmon;
        this.maxThreads = Math.max(parallelism, maxThreads);
        this.keepAliveNanos = keepAliveNanos;
        this.compensating = compensating;
        if (sysmon != null) {
            sysmon.watch(this);
        }
    }

    private final class Worker extends CallTrackedThread {
        volatile boolean signalled;

        Worker(String name) {
            super(name, WorkerPool.this.sysmon);
            setDaemon(true);
        }

        WorkerPool pool() {
            return WorkerPool.this;
        }

        @Override
        public void run() {
            work(this);
        }
    }

    /** Runs an arbitrary task (close callbacks and the like; allocates a queue slot). */
    @Override
    public void execute(Runnable task) {
        synchronized (lock) {
            if (shutdown) {
                throw new RejectedExecutionException("worker pool shut down");
            }
            others.addLast(task);
            queued++;
            wakeLocked();
        }
    }

    /** Queues a connection's handler task without allocating. */
    void submit(NioConnection c) {
        synchronized (lock) {
            if (shutdown) {
                throw new RejectedExecutionException("worker pool shut down");
            }
            c.nextQueued = null;
            if (tail == null) {
                head = c;
            } else {
                tail.nextQueued = c;
            }
            tail = c;
            queued++;
            wakeLocked();
        }
    }

    private void wakeLocked() {
        if (running >= parallelism) {
            return; // the running workers will come back for it
        }
        spawnLocked();
    }

    /** Wakes an idle worker or starts one (below the cap); false at the cap. */
    private boolean spawnLocked() {
        Worker w = idle.pollLast(); // most recently parked: warmest cache
        if (w != null) {
            running++;
            w.signalled = true;
            LockSupport.unpark(w);
            return true;
        }
        if (threads >= maxThreads) {
            return false;
        }
        running++;
        threads++;
        Worker nw = new Worker(prefix + (++ids));
        workers.add(nw);
        nw.start();
        return true;
    }

    /**
     * Monitor, once per tick: looks at every worker (blocked-thread report) and, in a compensating
     * pool, gives queued tasks threads when the running ones do not make progress. Returns
     * Sysmon.IDLE, IN_CALL (tasks run or wait) or BLOCKED (some task has run for a tick at least).
     */
    int tick(long now) {
        int seen = Sysmon.IDLE;
        int blocked = 0;
        for (Object w : workers.array()) {
            int s = sysmon.observe((Worker) w, now);
            seen = Math.max(seen, s);
            if (s == Sysmon.BLOCKED) {
                blocked++;
            }
        }
        synchronized (lock) {
            if (queued == 0 || shutdown) {
                return seen;
            }
            if (compensating && running - blocked < parallelism) {
                // Blocked workers hold their tasks; each queued task gets a thread of its own.
                for (int need = queued - (running - blocked); need > 0 && spawnLocked(); need--) {
                    compensations++;
                }
            }
            return Math.max(seen, Sysmon.IN_CALL);
        }
    }

    private Object pollLocked() {
        NioConnection c = head;
        if (c != null) {
            head = c.nextQueued;
            if (head == null) {
                tail = null;
            }
            c.nextQueued = null;
            queued--;
            return c;
        }
        Runnable r = others.pollFirst();
        if (r != null) {
            queued--;
        }
        return r;
    }

    private void work(Worker me) {
        boolean finishedOne = false;
        for (; ; ) {
            Object task;
            synchronized (lock) {
                if (finishedOne) {
                    completed++;
                    finishedOne = false;
                }
                task = pollLocked();
                if (task == null) {
                    running--;
                    if (shutdown) {
                        threads--;
                        workers.remove(me);
                        return;
                    }
                    me.signalled = false;
                    idle.addLast(me);
                }
            }
            if (task == null) {
                if (!parkUntilSignalled(me)) {
                    return;
                }
                continue;
            }
            me.beginCall();
            try {
                if (task instanceof NioConnection c) {
                    c.runQueuedTask();
                } else {
                    ((Runnable) task).run();
                }
            } catch (Throwable t) {
                System.getLogger("io.netpoll.worker").log(System.Logger.Level.WARNING, "worker task failed", t);
            } finally {
                me.endCall();
            }
            finishedOne = true;
        }
    }

    /** False when the worker should exit (idle too long, or shut down). */
    private boolean parkUntilSignalled(Worker me) {
        long deadline = System.nanoTime() + keepAliveNanos;
        while (!me.signalled) {
            long left = deadline - System.nanoTime();
            if (shutdown || left <= 0) {
                synchronized (lock) {
                    if (me.signalled) {
                        return true; // woken while giving up: take the work
                    }
                    idle.remove(me);
                    threads--;
                    workers.remove(me);
                    return false;
                }
            }
            LockSupport.parkNanos(this, left);
        }
        return true;
    }

    /**
     * The calling pool worker is about to block waiting for data or for the socket: let another
     * run. A wait in netpoll is not a blocked task for the monitor: the call counter pauses.
     */
    static boolean beginBlocking() {
        if (Thread.currentThread() instanceof Worker w) {
            w.endCall();
            WorkerPool p = w.pool();
            synchronized (p.lock) {
                p.running--;
                if (p.queued > 0) {
                    p.wakeLocked();
                }
            }
            return true;
        }
        return false;
    }

    static void endBlocking(boolean began) {
        if (began) {
            Worker w = (Worker) Thread.currentThread();
            WorkerPool p = w.pool();
            synchronized (p.lock) {
                p.running++;
            }
            w.beginCall();
        }
    }

    /** Stops accepting tasks; idle workers exit, running ones finish their task first. */
    public void shutdown() {
        synchronized (lock) {
            shutdown = true;
            for (Worker w : idle) {
                LockSupport.unpark(w);
            }
        }
    }

    /** Threads the monitor woke or started because the running ones were blocked (compensating pool). */
    public long compensations() {
        synchronized (lock) {
            return compensations;
        }
    }

    /** The cap on this pool's threads. */
    public int maxThreads() {
        return maxThreads;
    }

    /** Worker threads alive now (for tests and diagnostics). */
    public int threads() {
        synchronized (lock) {
            return threads;
        }
    }

    /** A read-only view for metrics (not the pool itself, so it cannot be used to submit work). */
    public WorkerPoolStats stats() {
        return stats;
    }

    private final class Stats implements WorkerPoolStats {
        @Override
        public int poolSize() {
            return threads();
        }

        @Override
        public int activeThreads() {
            synchronized (lock) {
                return Math.max(0, threads - idle.size());
            }
        }

        @Override
        public int runningThreads() {
            synchronized (lock) {
                return Math.max(0, running);
            }
        }

        @Override
        public int parallelism() {
            return parallelism;
        }

        @Override
        public long queuedTasks() {
            synchronized (lock) {
                return queued;
            }
        }

        @Override
        public long completedTasks() {
            synchronized (lock) {
                return completed;
            }
        }

        @Override
        public String toString() {
            return "WorkerPoolStats[poolSize=" + poolSize() + ", active=" + activeThreads() + ", running="
                    + runningThreads() + ", parallelism=" + parallelism + ", queued=" + queuedTasks()
                    + ", completed=" + completedTasks() + "]";
        }
    }
}
