package io.netpoll.internal;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A poller group's monitor and spare threads, for {@code HandlerMode.ADAPTIVE} (Go's sysmon and
 * hand-off of a P, with Jetty's reserved threads).
 *
 * <ul>
 * <li><b>Retake.</b> Every {@link #TICK_NANOS} the monitor looks at each poller that is running an
 *     adaptive handler call. If the thread holding the role is still in the <em>same</em> call it
 *     saw one tick earlier (its call counter did not move), the call has blocked for at least one
 *     tick: the monitor takes the role ({@code IN_HANDLER -> RETAKEN}, a CAS that the handler's
 *     own return races with) and gives it to a spare thread. So a handler that blocks in anything
 *     delays the other connections of its poller by 1-2 ticks plus one unpark. The tick backs
 *     off to {@link #MAX_TICK_NANOS} after 50 ticks in which no call spanned one, and returns to
 *     1 ms at the next that does (as Go's sysmon does): a poller whose handlers never block pays
 *     a quarter of the wake-ups.</li>
 * <li><b>Spares.</b> A thread that lost its role finishes its connection's handler loop, then
 *     parks here as a spare (at most {@link #keepSpares}; more exit). Retakes stop when
 *     {@link #maxThreads} role threads are alive: the poller then waits for its handler, as a
 *     worker pool at its size would. A hand-off by a handler about to wait in netpoll
 *     ({@code next(n)}) is never refused (that wait needs the poller to make progress).</li>
 * <li><b>Offload pool.</b> Connections whose handlers blocked outside netpoll (a retaken call
 *     that went on blocking for {@link #BLOCKED_AFTER_RETAKE_NANOS}: the monitor looks at its
 *     thread again on the next ticks; moved off the poller, {@code NetStats.handlersOffloaded})
 *     run on a {@link WorkerPool} of their own ({@link #offloadPool()}), not the group's worker
 *     pool: the monitor watches its tasks and, when they block, gives each queued connection a
 *     thread, up to {@link #maxOffloadThreads} ({@code -Dnetpoll.handler.maxOffloadThreads},
 *     default 256); idle ones exit after 30 s. So
 *     blocking connections neither queue behind each other nor take worker-mode servers' and TLS
 *     tasks' threads.</li>
 * <li><b>Blocked-thread report.</b> An adaptive handler call, or a task of a watched worker pool
 *     (the group's worker pool: worker-mode handlers; the offload pool), that holds its thread
 *     longer than {@link #blockedThresholdNanos} is logged once with its stack (WARNING, at most
 *     one log line per {@link #REPORT_INTERVAL_NANOS}) and counted ({@link #blockedHandlers()}).
 *     Waits in netpoll ({@code next(n)}, a flush waiting for the peer) do not count.</li>
 * <li><b>Pauses.</b> A tick that comes more than two ticks after the previous one (a GC or
 *     safepoint pause stopped every thread, or the process was starved of CPU) neither retakes
 *     nor calls anything blocked: the calls it finds unmoved were paused, not blocking. The next
 *     tick judges again, so a starved monitor is one tick slower, never blind.</li>
 * <li><b>Idle.</b> After 100 ticks in which no adaptive handler call or watched task ran, the
 *     monitor parks; the next call or task wakes it (one volatile read per call).</li>
 * </ul>
 * Thread-safe.
 */
public final class Sysmon {
    private static final System.Logger LOG = System.getLogger("io.netpoll.sysmon");
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int IDLE_TICKS_BEFORE_PARK = 100;
    private static final long OFFLOAD_KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** {@link #observe}: no call runs on the thread; a call runs; the same call ran at the last tick too. */
    static final int IDLE = 0;
    /** The longest tick the monitor backs off to while no call blocks (see monitor()). */
    static final long MAX_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(4);

    private static final int QUIET_TICKS_BEFORE_BACK_OFF = 50;

    /** How long a retaken call must go on blocking for its connection to leave the poller (NioConnection.endCall). */
    static final long BLOCKED_AFTER_RETAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Ticks after a retake at which the monitor looks again at a call that goes on (see followUp). */
    private static final int FOLLOW_UPS = 8;

    static final int IN_CALL = 1;
    static final int BLOCKED = 2;

    private final String prefix;
    private final int maxThreads;
    private final int keepSpares;
    private final long blockedThresholdNanos;
    private final Object lock = new Object();
    private final ArrayDeque<RoleThread> spares = new ArrayDeque<>();
    private final CowArray<Poller> pollers = new CowArray<>();
    private final CowArray<RoleThread> threads = new CowArray<>();
    private final CowArray<WorkerPool> pools = new CowArray<>();
    private final int maxOffloadThreads;
    private final WorkerPool offload;
    private final AtomicLong blocked = new AtomicLong();
    private final AtomicLong retakes = new AtomicLong();
    private int ids;
    private Thread monitor;
    private volatile boolean shutdown;
    volatile boolean sleeping;
    private long lastReport;
    /**
     * Monitor thread only: whether this tick may take the role from a call or call a thread
     * blocked. Not on a tick that comes more than two ticks after the previous look: the whole
     * process was stopped (a GC or safepoint pause) or starved of CPU, so a call that did not move
     * did not block. Never two ticks in a row, so a starved monitor still retakes a tick later.
     */
    private boolean judging = true;

    /**
     * @param maxSpares spare threads allowed beyond one per poller before retakes stop
     * @param blockedThreshold nanoseconds a handler call may hold its thread before it is reported
     */
    public Sysmon(String prefix, int maxSpares, long blockedThreshold) {
        this(prefix, maxSpares, blockedThreshold, defaultMaxOffloadThreads(), OFFLOAD_KEEP_ALIVE_NANOS);
    }

    /**
     * @param maxOffloadThreads the cap on the offload pool's threads
     * @param offloadKeepAliveNanos how long an idle offload thread stays
     */
    public Sysmon(
            String prefix, int maxSpares, long blockedThreshold, int maxOffloadThreads, long offloadKeepAliveNanos) {
        this.prefix = prefix;
        this.maxThreads = maxSpares;
        this.keepSpares = 2;
        this.blockedThresholdNanos = blockedThreshold;
        this.maxOffloadThreads = Math.max(1, maxOffloadThreads);
        int cores = Runtime.getRuntime().availableProcessors();
        this.offload = new WorkerPool(
                prefix + "offload-",
                Math.min(cores, this.maxOffloadThreads),
                this,
                this.maxOffloadThreads,
                offloadKeepAliveNanos,
                true);
    }

    /**
     * Defaults from system properties: {@code netpoll.handler.maxSpareThreads} (256),
     * {@code netpoll.handler.blockedThresholdMs} (1000), {@code netpoll.handler.maxOffloadThreads} (256).
     */
    public static Sysmon create(String prefix) {
        int spares = Integer.getInteger("netpoll.handler.maxSpareThreads", 256);
        long ms = Long.getLong("netpoll.handler.blockedThresholdMs", 1000);
        return new Sysmon(prefix, Math.max(1, spares), TimeUnit.MILLISECONDS.toNanos(Math.max(1, ms)));
    }

    private static int defaultMaxOffloadThreads() {
        return Math.max(1, Integer.getInteger("netpoll.handler.maxOffloadThreads", 256));
    }

    /** The executor of connections moved off their poller because their handlers block (see class doc). */
    public WorkerPool offloadPool() {
        return offload;
    }

    /** Threads of the offload pool alive now. */
    public int offloadThreads() {
        return offload.threads();
    }

    /** The cap on the offload pool's threads. */
    public int maxOffloadThreads() {
        return maxOffloadThreads;
    }

    /** Watches {@code pool}'s tasks from now on (blocked-thread report; compensation if it compensates). */
    void watch(WorkerPool pool) {
        pools.add(pool);
    }

    /** Adaptive handler calls and watched worker tasks that held their thread longer than the threshold (each counted once). */
    public long blockedHandlers() {
        return blocked.get();
    }

    /** Times a poller's role was taken from a blocked handler (by the monitor) or handed off (by a waiting handler). */
    public long roleHandOffs() {
        return retakes.get();
    }

    /** Role threads alive now: pollers' threads, spares, and threads finishing a handler after losing their role. */
    public int threads() {
        return threads.size();
    }

    /** Starts {@code p} on a thread of its own (it becomes a role thread like any other). */
    void startPoller(Poller p) {
        pollers.add(p);
        RoleThread t;
        synchronized (lock) {
            t = new RoleThread(this, spareName(), p);
            threads.add(t);
            if (monitor == null && !shutdown) {
                monitor = new Thread(this::monitor, prefix + "monitor");
                monitor.setDaemon(true);
                monitor.start();
            }
        }
        t.start();
    }

    void pollerStopped(Poller p) {
        pollers.remove(p);
    }

    private String spareName() {
        return prefix + "spare-" + (++ids);
    }

    /** A handler on {@code p}'s role thread is about to wait in netpoll: give the role away (never refused). */
    void handOff(Poller p) {
        retakes.incrementAndGet();
        assign(p);
    }

    private void assign(Poller p) {
        RoleThread t;
        synchronized (lock) {
            t = spares.pollLast();
            if (t == null) {
                t = new RoleThread(this, spareName(), null);
                threads.add(t);
                t.assigned = p;
                t.signalled = true;
            } else {
                t.assigned = p;
                t.signalled = true;
                LockSupport.unpark(t);
                return;
            }
        }
        t.start();
    }

    /** Role thread: waits for a poller to run; null when the thread should exit. */
    Poller awaitAssignment(RoleThread me) {
        synchronized (lock) {
            if (me.signalled) {
                me.signalled = false;
                Poller p = me.assigned;
                me.assigned = null;
                return p;
            }
            if (shutdown || spares.size() >= keepSpares) {
                threads.remove(me);
                return null;
            }
            spares.addLast(me);
        }
        for (; ; ) {
            LockSupport.park(this);
            synchronized (lock) {
                if (me.signalled) {
                    me.signalled = false;
                    Poller p = me.assigned;
                    me.assigned = null;
                    return p;
                }
                if (shutdown) {
                    spares.remove(me);
                    threads.remove(me);
                    return null;
                }
            }
        }
    }

    void wake() {
        if (sleeping) {
            sleeping = false;
            Thread m = monitor;
            if (m != null) {
                LockSupport.unpark(m);
            }
        }
    }

    /** True while a retake or a capped hand-off may take one more thread (below the spare-thread cap). */
    boolean hasSpareCapacity() {
        return canRetake();
    }

    private boolean canRetake() {
        synchronized (lock) {
            return !spares.isEmpty() || threads.size() < pollers.size() + maxThreads;
        }
    }

    private void monitor() {
        int idleTicks = 0;
        int quietTicks = 0;
        long tickNanos = TICK_NANOS;
        long lastLook = 0;
        while (!shutdown) {
            long now = System.nanoTime();
            judging = judges(judging, lastLook, now, tickNanos);
            lastLook = now;
            int seen = tick(now);
            if (seen == BLOCKED) {
                // A call spans a tick: back to the short tick at once (retakes, compensation).
                quietTicks = 0;
                tickNanos = TICK_NANOS;
            } else if (++quietTicks >= QUIET_TICKS_BEFORE_BACK_OFF && tickNanos < MAX_TICK_NANOS) {
                // Calls come and go without blocking: every tick is a wake-up (a context switch on
                // the pollers' core) that finds nothing, so look less often (Go's sysmon backs off
                // from 20 us to 10 ms the same way). Costs the first block after a quiet spell up
                // to two long ticks before the retake; later ones are seen on the short tick.
                quietTicks = 0;
                tickNanos = Math.min(MAX_TICK_NANOS, tickNanos * 2);
            }
            if (seen != IDLE) {
                idleTicks = 0;
                LockSupport.parkNanos(this, tickNanos);
                continue;
            }
            if (++idleTicks < IDLE_TICKS_BEFORE_PARK) {
                LockSupport.parkNanos(this, tickNanos);
                continue;
            }
            // Dekker with beginCall: publish "sleeping", then look once more.
            sleeping = true;
            if (tick(System.nanoTime()) != IDLE) {
                sleeping = false;
                idleTicks = 0;
                continue;
            }
            while (sleeping && !shutdown) {
                LockSupport.park(this);
            }
            lastLook = 0; // asleep, not late: the first look after waking judges
            idleTicks = 0;
            quietTicks = 0;
            tickNanos = TICK_NANOS;
        }
    }

    /** Whether a look at {@code now} may judge calls (see {@link #judging}); {@code lastLook} 0: none yet. */
    static boolean judges(boolean judgedLast, long lastLook, long now, long tickNanos) {
        return !judgedLast || lastLook == 0 || now - lastLook <= 2 * tickNanos;
    }

    /**
     * One look at every poller, role thread and watched pool: IDLE (no call runs), IN_CALL (calls
     * run, none of them since the last tick) or BLOCKED (some call has run for a tick at least).
     */
    private int tick(long now) {
        int seen = IDLE;
        // Retake first, against the counters seen one tick ago.
        for (Object o : pollers.array()) {
            Poller p = (Poller) o;
            if (p.state() != Poller.IN_HANDLER) {
                continue;
            }
            seen = Math.max(seen, IN_CALL);
            Thread h = p.holder();
            if (h instanceof RoleThread rt) {
                long c = rt.calls();
                boolean stuck = judging && (c & 1) == 1 && c == rt.seenCalls && canRetake();
                if (stuck) {
                    // Before the CAS: the handler reads them after failing to take the role back.
                    rt.retakenAt = now;
                    rt.lookAtRetake = ThreadSched.look(rt.tid);
                    rt.blockedAfterRetake = false;
                }
                if (stuck && p.retake()) {
                    retakes.incrementAndGet();
                    rt.retakenCall = c;
                    rt.followLook = rt.lookAtRetake;
                    rt.followUps = rt.followLook != null ? FOLLOW_UPS : 0;
                    rt.setName(rt.spareName); // no longer that poller's thread (thread dumps, tests)
                    assign(p);
                }
            }
        }
        for (Object t : threads.array()) {
            RoleThread rt = (RoleThread) t;
            seen = Math.max(seen, observe(rt, now));
            if (rt.followUps != 0 && rt.retakenAt != now) { // not the retake's own tick
                followUp(rt);
            }
        }
        for (Object pool : pools.array()) {
            seen = Math.max(seen, ((WorkerPool) pool).tick(now));
        }
        return seen;
    }

    /**
     * Monitor thread, on the ticks after a retake while the retaken call goes on: looks at its
     * thread again, and marks it {@link RoleThread#blockedAfterRetake} once two looks found it
     * blocked throughout {@link #BLOCKED_AFTER_RETAKE_NANOS} ({@link ThreadSched#blockedThroughout}).
     * The handler's own judgement at the end of the call ({@code ThreadSched.blockedBetween} from
     * the look at the retake) misses a call found runnable at the retake (preempted on its way
     * into the wait) and counts a wait for a CPU after the wait ends as running: on a loaded
     * machine a call that blocked for many ticks could pass for one that computed. At most
     * {@link #FOLLOW_UPS} looks per retake, only while the same call runs.
     */
    private void followUp(RoleThread rt) {
        if (rt.calls() != rt.retakenCall) {
            rt.followUps = 0;
            rt.followLook = null;
            return;
        }
        rt.followUps--;
        ThreadSched.Look look = ThreadSched.look(rt.tid);
        if (look == null) {
            rt.followUps = 0;
        } else if (ThreadSched.blockedThroughout(rt.followLook, look, BLOCKED_AFTER_RETAKE_NANOS)) {
            rt.blockedAfterRetake = true;
            rt.followUps = 0;
        } else if (!ThreadSched.blockedThroughout(rt.followLook, look, 0)) {
            rt.followLook = look; // else blocked since the earlier look, not for long enough yet
        }
        if (rt.followUps == 0) {
            rt.followLook = null;
        }
    }

    /**
     * Monitor thread: one look at {@code t}'s call counter; reports a call that has held the
     * thread past the threshold. Returns IDLE, IN_CALL (a call started since the last look) or
     * BLOCKED (the same call as at the last look: it has run for at least a tick).
     */
    int observe(CallTrackedThread t, long now) {
        long c = t.calls();
        if ((c & 1) == 0) {
            t.seenCalls = c;
            return IDLE;
        }
        if (c != t.seenCalls) {
            t.seenCalls = c;
            t.stuckSince = now;
            t.reported = false;
            return IN_CALL;
        }
        if (!judging) {
            return IN_CALL; // a late look: the call may only have been paused with everything else
        }
        if (!t.reported && now - t.stuckSince >= blockedThresholdNanos) {
            t.reported = true;
            report(t, now); // first: whoever sees the count also finds the log line
            blocked.incrementAndGet();
        }
        return BLOCKED;
    }

    private void report(CallTrackedThread t, long now) {
        if (lastReport != 0 && now - lastReport < REPORT_INTERVAL_NANOS) {
            return;
        }
        lastReport = now;
        if (!LOG.isLoggable(System.Logger.Level.WARNING)) {
            return;
        }
        Throwable where = new Throwable("handler blocked on " + t.getName() + " for "
                + TimeUnit.NANOSECONDS.toMillis(now - t.stuckSince) + " ms (stack of the blocked thread)");
        where.setStackTrace(t.getStackTrace());
        String served = t instanceof RoleThread
                ? "other connections are served by spare threads, but this one waits for it"
                : "a worker thread is held: other tasks run on the pool's other threads";
        LOG.log(
                System.Logger.Level.WARNING,
                "a handler has held its thread for more than "
                        + TimeUnit.NANOSECONDS.toMillis(blockedThresholdNanos) + " ms; " + served
                        + " (reported once per call, at most once per 10 s)",
                where);
    }

    /** Stops the monitor and lets spare threads exit (after the pollers have stopped). */
    public void shutdown() {
        Thread m;
        synchronized (lock) {
            shutdown = true;
            m = monitor;
            for (RoleThread t : spares) {
                LockSupport.unpark(t);
            }
        }
        if (m != null) {
            LockSupport.unpark(m);
        }
        offload.shutdown();
    }
}
