package io.netpoll.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One poller: a {@link Selector}, a task queue, the idle-timeout wheel and a ready list of
 * connections whose handlers are due. It reads ready sockets into connection buffers (in the
 * selector's callback, which only reads and queues) and then, after {@code select} returns, runs
 * the due handlers of inline and adaptive connections from the ready list, or hands them to an
 * executor (worker mode).
 *
 * <h2>The role</h2>
 * "The poller thread" is whichever thread holds the poller's <em>role</em> now ({@link #holder}):
 * the role moves between threads (Leader/Followers; Go's P). {@link #state} is the role's status:
 * {@code RUNNING} (the holder runs the loop), {@code IN_HANDLER} (the holder is inside an adaptive
 * handler call), {@code RETAKEN} (taken from a handler that blocked, or given away by one about to
 * wait; a spare thread from the {@link Sysmon} takes it over and sets {@code RUNNING}). A handler
 * returning CASes {@code IN_HANDLER -> RUNNING}; if that fails it lost the role: it finishes its
 * connection's handler loop as a plain worker and then leaves the loop. The ready list's cursor
 * advances before each handler call, so a successor continues the list where it stopped.
 *
 * <p>Threading: {@link #execute} is safe from any thread; everything else runs on the thread
 * holding the role. Other threads never touch the selector or selection keys directly: they queue
 * a task, and the selector is woken only if the poller is (about to be) blocked in {@code select}.
 * Code inside an adaptive handler that needs the role's exclusivity (a task run through
 * {@link #run}) pins it first ({@code IN_HANDLER -> RUNNING} by CAS), so the monitor cannot take
 * the role from under it.
 */
public final class Poller {
    private static final System.Logger LOG = System.getLogger("io.netpoll.poller");
    /**
     * How long the poller polls without blocking after a turn that found ready keys, before it
     * blocks in select ({@link #setSpinNanos}; 0: never). See pollBeforeBlocking.
     */
    private volatile long spinNanos;

    /** Returns of select() without events, wakeup or timeout before the selector counts as spinning. */
    private static final int SPIN_THRESHOLD = 512;
    /** {@link #lastSelectReturn} while the loop is in select: the clock is not this turn's yet. */
    private static final long IN_SELECT = Long.MIN_VALUE;

    /** Anything registered with a poller that is not a connection (a listener's acceptor). */
    public interface Handler {
        void onReady(SelectionKey key);

        /** The poller is stopping: release the channel. */
        void onPollerClose();

        /** The selector was rebuilt: this is the handler's new key. */
        void rekey(SelectionKey key);
    }

    static final int RUNNING = 0;
    static final int IN_HANDLER = 1;
    static final int RETAKEN = 2;
    private static final int STATUS = 3;
    private static final int GEN_SHIFT = 2;
    private static final java.lang.invoke.VarHandle STATE;
    private static final java.lang.invoke.VarHandle LAST_SELECT_RETURN;

    static {
        try {
            STATE = java.lang.invoke.MethodHandles.lookup().findVarHandle(Poller.class, "state", int.class);
            LAST_SELECT_RETURN =
                    java.lang.invoke.MethodHandles.lookup().findVarHandle(Poller.class, "lastSelectReturn", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Sysmon sysmon;
    /** The thread holding the role; read together with {@link #state} (state first, see inPoller). */
    private volatile Thread holder;

    private volatile int state = RUNNING;
    private volatile Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingTasks = new AtomicInteger();
    /** False only while the poller blocks (or is about to block) in select; guards selector.wakeup(). */
    private final AtomicBoolean awake = new AtomicBoolean(true);

    private final ArrayDeque<NioConnection> continuations = new ArrayDeque<>();
    private final IdleWheel wheel = new IdleWheel();
    /** Delayed tasks (rare: an acceptor's back-off); poller thread only. */
    private final PriorityQueue<Delayed> timers = new PriorityQueue<>();

    private long timerSeq;
    private final Consumer<SelectionKey> onKey = this::onKey;
    private final AtomicLong rebuilds;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile int registrations;

    // Statistics for the operator view (PollerStats): cheap, written by the role holder only.
    /**
     * System.nanoTime() when the loop last came back from select (one clock read and one volatile
     * store per loop turn), or {@link #IN_SELECT} while it is in select. It is also the coarse
     * clock of connection activity ({@link #turnNanos}, {@link #clockNanos}).
     */
    private volatile long lastSelectReturn = System.nanoTime();
    /** Selector rebuilds of this poller (the group counts them too); role holder only. */
    private volatile long rebuildCount;
    /**
     * What the loop is running outside select: the connection whose handler turn (ready list) or the
     * task it runs now, null between them. A plain field (written per turn, no fence): a reader sees
     * a recent value, good enough for a diagnostic.
     */
    private Object current;
    /** The lag probe in flight: System.nanoTime() when it was queued, 0 when none is. */
    private volatile long probeQueuedAt;
    /** Queue-to-run time of the last lag probe that ran, in nanoseconds. */
    private volatile long lastLagNanos;

    private final AtomicBoolean probeInFlight = new AtomicBoolean();
    private final Runnable lagProbe = this::lagProbeRan;

    public Poller(String name, AtomicLong rebuildCounter, Sysmon sysmon, long spinNanos) throws IOException {
        this.name = name;
        this.spinNanos = spinNanos;
        this.rebuilds = rebuildCounter;
        this.sysmon = sysmon;
        this.selector = Selector.open();
    }

    public void start() {
        sysmon.startPoller(this);
    }

    /** The spin before blocking, in nanoseconds (0: none); any thread, read by the loop each turn. */
    public void setSpinNanos(long nanos) {
        spinNanos = Math.max(0, nanos);
    }

    public long spinNanos() {
        return spinNanos;
    }

    /** The executor of this group's adaptive connections moved off their pollers (see Sysmon). */
    WorkerPool offloadPool() {
        return sysmon.offloadPool();
    }

    /** True if the calling thread holds the role (is "the poller thread") now. */
    public boolean inPoller() {
        // State first: a successor writes holder, then state, so seeing its state means seeing its holder.
        int s = state;
        return (s & STATUS) != RETAKEN && holder == Thread.currentThread();
    }

    /** True while the poller has not been stopped and a thread holds (or is taking over) its role. */
    public boolean isRunning() {
        if (!running || terminated.getCount() == 0) {
            return false;
        }
        Thread h = holder;
        return h == null || h.isAlive() || (state & STATUS) == RETAKEN;
    }

    /** The role's status (RUNNING, IN_HANDLER, RETAKEN), without the generation. */
    int state() {
        return state & STATUS;
    }

    Thread holder() {
        return holder;
    }

    /** Monitor: takes the role from a blocked handler call; true if the CAS won. */
    boolean retake() {
        int s = state;
        return (s & STATUS) == IN_HANDLER && STATE.compareAndSet(this, s, (s & ~STATUS) | RETAKEN);
    }

    /**
     * Before an adaptive handler call: if the caller holds the role, marks it IN_HANDLER (so the
     * monitor may take it) and returns the stamp to give {@link #exitHandler}; else -1.
     */
    int enterHandler() {
        int s = state;
        if ((s & STATUS) == RUNNING && holder == Thread.currentThread()) {
            int in = s | IN_HANDLER;
            // Only the holder leaves RUNNING, so a plain volatile store suffices.
            STATE.setVolatile(this, in);
            return in;
        }
        return -1;
    }

    /**
     * After the call {@link #enterHandler} admitted: true if the role is still the caller's. The
     * stamp carries the role's generation, so a thread that lost the role cannot take back a
     * successor's IN_HANDLER state.
     */
    boolean exitHandler(int stamp) {
        return STATE.compareAndSet(this, stamp, (stamp & ~STATUS) | RUNNING);
    }

    /**
     * A handler holding the role is about to wait in netpoll (a read without enough data): give
     * the role to a spare thread first. Returns true if the caller no longer holds the role: it
     * gave it away now, or the monitor took it since the caller last saw it held (a handler slow
     * to get from its {@link #inPoller} check to here, as on a loaded machine, looks blocked to
     * the monitor); either way the caller may wait as a plain worker. False only if the caller
     * holds the role outside an adaptive handler call (inline handlers, poller tasks): it must
     * not wait. The caller must have held the role a moment ago ({@link #inPoller}).
     */
    boolean handOffForWait() {
        Thread me = Thread.currentThread();
        for (; ; ) {
            int s = state; // state first, then holder (as inPoller)
            if ((s & STATUS) == RETAKEN || holder != me) {
                return true;
            }
            if ((s & STATUS) != IN_HANDLER) {
                return false;
            }
            // Only the monitor's retake competes (IN_HANDLER -> RETAKEN): a failed CAS means the
            // role is gone, which the next turn sees.
            if (STATE.compareAndSet(this, s, (s & ~STATUS) | RETAKEN)) {
                if (me instanceof RoleThread rt) {
                    rt.setName(rt.spareName); // no longer this poller's thread
                    rt.gaveRoleAway = true;
                }
                sysmon.handOff(this);
                return true;
            }
        }
    }

    /**
     * A handler holding the role is about to wait for another connection's peer (a flush above
     * that connection's high-water mark): like {@link #handOffForWait}, but refused when the spare
     * threads are at their cap ({@code netpoll.handler.maxSpareThreads}), so that a thousand such
     * waits cannot make a thousand threads. Returns HANDED_OFF (the caller no longer holds the
     * role: given away now, or taken by the monitor meanwhile), AT_CAP (the caller still holds
     * the role, in a handler call) or NOT_IN_HANDLER (not an adaptive handler call holding it:
     * inline handlers, poller tasks; the caller must not wait). The caller must have held the role
     * a moment ago ({@link #inPoller}).
     */
    int handOffForFlush() {
        int s = state; // state first, then holder (as inPoller)
        if ((s & STATUS) == RETAKEN || holder != Thread.currentThread()) {
            return HANDED_OFF;
        }
        if ((s & STATUS) != IN_HANDLER) {
            return NOT_IN_HANDLER;
        }
        if (!sysmon.hasSpareCapacity()) {
            return AT_CAP;
        }
        return handOffForWait() ? HANDED_OFF : NOT_IN_HANDLER;
    }

    static final int HANDED_OFF = 0;
    static final int AT_CAP = 1;
    static final int NOT_IN_HANDLER = 2;

    /** -1: the caller does not hold the role; -2: holds it, running; else pinned from this IN_HANDLER stamp. */
    private int pin() {
        int s = state;
        if (holder != Thread.currentThread()) {
            return -1;
        }
        if ((s & STATUS) == RUNNING) {
            return -2;
        }
        if ((s & STATUS) == IN_HANDLER && STATE.compareAndSet(this, s, (s & ~STATUS) | RUNNING)) {
            return s;
        }
        return -1;
    }

    private void unpin(int pinned) {
        if (pinned >= 0) {
            STATE.setVolatile(this, pinned);
        }
    }

    /** Role threads: runs the poller loop until the role is lost or the poller stops. */
    void runRole(RoleThread me) {
        holder = me;
        current = null; // the previous holder's turn is its own now
        me.role = this;
        // A new generation: stamps of the previous holder's calls no longer match.
        STATE.setVolatile(this, (((state >>> GEN_SHIFT) + 1) & 0x0FFF_FFFF) << GEN_SHIFT | RUNNING);
        me.setName(name);
        loop();
    }

    private boolean lost() {
        int s = state;
        return (s & STATUS) == RETAKEN || holder != Thread.currentThread();
    }

    public int pendingTasks() {
        return pendingTasks.get();
    }

    public int registrations() {
        return registrations;
    }

    /** Queues {@code task} for the poller thread; false if the poller has stopped (the task will not run). */
    public boolean execute(Runnable task) {
        if (!running) {
            return false;
        }
        pendingTasks.incrementAndGet();
        tasks.offer(task);
        if (!running && tasks.remove(task)) {
            // Lost the race with shutdown's final drain: the caller runs it instead.
            pendingTasks.decrementAndGet();
            return false;
        }
        if (!inPoller() && !awake.get() && awake.compareAndSet(false, true)) {
            selector.wakeup();
        }
        return true;
    }

    /** Runs {@code task} now if on the poller thread, else queues it; false if the poller has stopped. */
    public boolean run(Runnable task) {
        int pinned = pin();
        if (pinned != -1) {
            try {
                task.run();
            } finally {
                unpin(pinned);
            }
            return true;
        }
        return execute(task);
    }

    /**
     * Poller thread only: runs {@code task} on this poller after about {@code delayNanos} (not
     * before). For rare events such as an acceptor's back-off; tasks still pending when the poller
     * stops are dropped (handlers are told through {@link Handler#onPollerClose()} instead).
     */
    public void schedule(Runnable task, long delayNanos) {
        timers.add(new Delayed(System.nanoTime() + Math.max(0, delayNanos), timerSeq++, task));
    }

    private record Delayed(long deadline, long seq, Runnable task) implements Comparable<Delayed> {
        @Override
        public int compareTo(Delayed o) {
            long d = deadline - o.deadline;
            return d != 0 ? Long.signum(d) : Long.compare(seq, o.seq);
        }
    }

    /** Select timeout in ms (0 = forever) from the idle wheel and the earliest delayed task. */
    private long selectTimeoutMillis(long now) {
        long timeoutMs = wheel.timeoutMillis(now);
        Delayed first = timers.peek();
        if (first != null) {
            long t = Math.max(1, TimeUnit.NANOSECONDS.toMillis(first.deadline - now + 999_999));
            timeoutMs = timeoutMs == 0 ? t : Math.min(timeoutMs, t);
        }
        return timeoutMs;
    }

    private void runTimers() {
        if (timers.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        Delayed d;
        while ((d = timers.peek()) != null && d.deadline - now <= 0) {
            timers.poll();
            try {
                d.task.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, name + ": delayed task failed", t);
            }
        }
    }

    /**
     * A connection's handler is due (ready list), or used up its turn and continues after the
     * others. False if the caller does not hold the role (then it must {@link #execute} instead).
     * Pins the role: an adaptive handler may queue another connection while the monitor looks.
     */
    boolean continueLater(NioConnection c) {
        int pinned = pin();
        if (pinned == -1) {
            return false;
        }
        try {
            continuations.add(c);
        } finally {
            unpin(pinned);
        }
        return true;
    }

    /** Poller thread only. */
    SelectionKey register(SelectableChannel ch, int ops, Object attachment) throws ClosedChannelException {
        SelectionKey key = ch.register(selector, ops, attachment);
        registrations++;
        return key;
    }

    /** Poller thread only. */
    void deregistered() {
        registrations--;
    }

    /** Poller thread only. */
    IdleWheel wheel() {
        return wheel;
    }

    /** Public for acceptors in other packages: poller thread only. */
    public SelectionKey registerHandler(SelectableChannel ch, int ops, Handler handler) throws ClosedChannelException {
        return register(ch, ops, handler);
    }

    /** Public for acceptors in other packages: poller thread only. */
    public void handlerDeregistered() {
        deregistered();
    }

    private void loop() {
        int spins = 0;
        boolean busy = false;
        while (running) {
            try {
                long spin = spinNanos;
                if (busy && spin > 0 && tasks.isEmpty() && continuations.isEmpty() && pollBeforeBlocking(spin)) {
                    // Keys (or tasks) came while polling: they are this turn's I/O; busy stays true.
                } else if (tasks.isEmpty() && continuations.isEmpty()) {
                    long timeoutMs = selectTimeoutMillis(System.nanoTime());
                    long before = System.nanoTime();
                    LAST_SELECT_RETURN.setRelease(this, IN_SELECT); // see clockNanos
                    awake.set(false);
                    int selected;
                    if (tasks.isEmpty()) {
                        selected = selector.select(onKey, timeoutMs);
                    } else {
                        selected = selector.selectNow(onKey);
                    }
                    // Before awake: a reader that sees the loop out of select sees when it came out.
                    stampTurn();
                    awake.set(true);
                    if (Thread.interrupted()) {
                        // An interrupted thread's select() returns at once, forever: clear it. Pollers
                        // stop through `running`, so an interrupt (from a container or a tool that
                        // interrupts daemon threads) carries no meaning here.
                        LOG.log(System.Logger.Level.DEBUG, () -> name + ": interrupt ignored");
                        spins = 0;
                        continue;
                    }
                    busy = selected > 0;
                    if (selected == 0
                            && tasks.isEmpty()
                            && running
                            && (timeoutMs == 0
                                    || System.nanoTime() - before < TimeUnit.MILLISECONDS.toNanos(timeoutMs) / 2)) {
                        if (++spins >= SPIN_THRESHOLD) {
                            rebuildSelector();
                            spins = 0;
                        }
                    } else {
                        spins = 0;
                    }
                } else {
                    LAST_SELECT_RETURN.setRelease(this, IN_SELECT);
                    busy = selector.selectNow(onKey) > 0;
                    stampTurn();
                    Thread.interrupted(); // see above
                }
                runTurnWork();
                if (lost()) {
                    return;
                }
            } catch (Throwable t) {
                if (lost()) {
                    return;
                }
                // A poller must survive anything a single key or task throws.
                LOG.log(System.Logger.Level.ERROR, name + ": unexpected error in the event loop", t);
            }
        }
        if (!lost()) {
            shutdownOnThread();
        }
    }

    /** After a turn's I/O: tasks, timers, continuations, idle timeouts. */
    private void runTurnWork() {
        runTasks();
        if (lost()) {
            return;
        }
        runTimers();
        runContinuations();
        if (lost()) {
            return;
        }
        if (wheel.size() > 0) {
            wheel.advance(System.nanoTime());
        }
    }

    /**
     * After a turn that found ready keys: polls without blocking for up to {@code spin} ns before
     * the loop blocks in select, as Go's scheduler spins before it parks a thread. Blocking costs
     * a sleep and, when the next request comes, a wake-up of this thread paid by the sender (an
     * inter-processor interrupt; on a VM two exits): a busy poller would block and be woken
     * between most requests (measured: 0.65 blocks per request at 40k requests/s on one poller,
     * 0.18 with a 20 us spin). Returns whether keys became ready (or tasks came) meanwhile.
     */
    private boolean pollBeforeBlocking(long spin) throws IOException {
        long until = System.nanoTime() + spin;
        do {
            LAST_SELECT_RETURN.setRelease(this, IN_SELECT); // see clockNanos
            int selected = selector.selectNow(onKey);
            stampTurn();
            if (selected > 0 || !tasks.isEmpty() || !continuations.isEmpty()) {
                return true;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < until && running);
        return false;
    }

    private void onKey(SelectionKey key) {
        Object a = key.attachment();
        try {
            if (a instanceof NioConnection c) {
                c.onReady(key);
            } else if (a instanceof Handler h) {
                h.onReady(key);
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, name + ": error handling a ready channel", t);
            if (a instanceof NioConnection c) {
                c.closeWith(CloseReason.ERROR, t);
            }
        }
    }

    private void runTasks() {
        // Bounded: tasks queued while running wait for the next turn, so IO is never starved.
        int n = pendingTasks.get();
        for (int i = 0; i < n; i++) {
            Runnable r = tasks.poll();
            if (r == null) {
                break;
            }
            pendingTasks.decrementAndGet();
            current = r;
            try {
                r.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, name + ": poller task failed", t);
            }
            if (lost()) {
                return; // a handler task blocked and the role went to another thread, which continues
            }
            current = null;
        }
    }

    private void runContinuations() {
        int n = continuations.size();
        for (int i = 0; i < n; i++) {
            NioConnection c = continuations.poll(); // the cursor moves before the call: a successor continues after it
            if (c == null) {
                return;
            }
            current = c;
            try {
                c.continueOnPoller();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, name + ": continuation failed", t);
            }
            if (lost()) {
                return;
            }
            current = null;
        }
    }

    /**
     * Moves every channel to a fresh selector on the poller thread, as done automatically when the
     * selector spins. Public for diagnostics and tests.
     */
    public void rebuildSelectorSoon() {
        execute(this::rebuildSelector);
    }

    private void rebuildSelector() {
        Selector old = selector;
        Selector fresh;
        try {
            fresh = Selector.open();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": could not open a new selector", e);
            return;
        }
        for (SelectionKey key : old.keys()) {
            if (!key.isValid()) {
                continue;
            }
            try {
                Object a = key.attachment();
                int ops = key.interestOps();
                key.cancel();
                SelectionKey nk = key.channel().register(fresh, ops, a);
                if (a instanceof NioConnection c) {
                    c.rekey(nk);
                } else if (a instanceof Handler h) {
                    h.rekey(nk);
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, name + ": could not move a channel to the new selector", e);
            }
        }
        selector = fresh;
        try {
            old.close();
        } catch (IOException ignored) {
            // The old selector is useless either way.
        }
        rebuilds.incrementAndGet();
        rebuildCount = rebuildCount + 1;
        LOG.log(System.Logger.Level.INFO, name + ": selector rebuilt after spinning");
    }

    /** Stops the poller: closes every connection and handler registered with it. Idempotent; waits up to {@code timeoutMs}. */
    public void shutdown(long timeoutMs) {
        running = false;
        selector.wakeup();
        if (!inPoller()) {
            try {
                terminated.await(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void shutdownOnThread() {
        try {
            runTasks();
            List<Object> attachments = new ArrayList<>();
            for (SelectionKey key : selector.keys()) {
                attachments.add(key.attachment());
            }
            for (Object a : attachments) {
                try {
                    if (a instanceof NioConnection c) {
                        c.closeWith(CloseReason.SHUTDOWN, null);
                    } else if (a instanceof Handler h) {
                        h.onPollerClose();
                    }
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.WARNING, name + ": error while closing", t);
                }
            }
            // Close tasks queued by the closes above, then anything queued concurrently.
            Runnable r;
            while ((r = tasks.poll()) != null) {
                pendingTasks.decrementAndGet();
                try {
                    r.run();
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.WARNING, name + ": poller task failed during shutdown", t);
                }
            }
            selector.close();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, name + ": error while stopping", t);
        } finally {
            sysmon.pollerStopped(this);
            terminated.countDown();
        }
    }

    // ---------------------------------------------------------------- statistics (PollerStats)

    /** The poller's name (also its thread's name while a thread holds the role). */
    public String name() {
        return name;
    }

    /** Times this poller's selector was rebuilt. */
    public long selectorRebuilds() {
        return rebuildCount;
    }

    /**
     * Nanoseconds since the loop last came back from select, or 0 while it waits in select (an
     * idle poller is not late). Grows while a handler or task holds the loop.
     */
    public long nanosSinceSelect() {
        long since = lastSelectReturn;
        if (!awake.get() || !running || since == IN_SELECT) {
            return 0;
        }
        return Math.max(0, System.nanoTime() - since);
    }

    // ---------------------------------------------------------------- activity clock

    /** After select: this turn's clock, unless a read in the selector's callback already took it. */
    private void stampTurn() {
        if (lastSelectReturn == IN_SELECT) {
            lastSelectReturn = System.nanoTime();
        }
    }

    /**
     * Poller thread: the coarse clock of this turn for activity stamps (a connection's last read).
     * Inside the selector's callback the turn has no clock yet: the first caller reads the time
     * once and the rest of the turn shares it. So a read costs no clock read, and a stamp is at
     * most one turn old.
     */
    long turnNanos() {
        long t = lastSelectReturn;
        if (t == IN_SELECT) {
            t = System.nanoTime();
            lastSelectReturn = t;
        }
        return t;
    }

    /**
     * Any thread: the coarse clock for activity stamps (a connection's last write): the time the
     * poller's current turn began, or the real time while the poller is in select (its last turn's
     * time would then be as old as its sleep). Never older than the poller's current turn.
     */
    long clockNanos() {
        long t = lastSelectReturn;
        return t != IN_SELECT ? t : System.nanoTime();
    }

    /**
     * Loop lag: the queue-to-run time of a probe task. Each call queues a probe if none is in
     * flight (so the cost is one task per reader's call, not per task), and returns the last
     * probe's lag, or the age of the probe still queued if that is longer (a stuck loop shows a
     * growing lag).
     */
    public long loopLagNanos() {
        long queued = probeQueuedAt;
        long lag = lastLagNanos;
        if (!running) {
            return lag; // stopped: a probe still queued will not run
        }
        if (queued != 0) {
            return Math.max(lag, System.nanoTime() - queued);
        }
        if (running && probeInFlight.compareAndSet(false, true)) {
            probeQueuedAt = System.nanoTime();
            if (!execute(lagProbe)) {
                probeQueuedAt = 0;
                probeInFlight.set(false);
            }
        }
        return lag;
    }

    private void lagProbeRan() {
        long queued = probeQueuedAt;
        if (queued != 0) {
            lastLagNanos = System.nanoTime() - queued;
        }
        probeQueuedAt = 0;
        probeInFlight.set(false);
    }

    /** The thread holding the role now (null before the first thread took it). */
    public Thread holderThread() {
        return holder;
    }

    /** The role's status: {@code running}, {@code in-handler} (adaptive) or {@code handed-off}. */
    public String roleState() {
        return switch (state & STATUS) {
            case IN_HANDLER -> "in-handler";
            case RETAKEN -> "handed-off";
            default -> "running";
        };
    }

    /**
     * What the loop is running now outside select, for diagnostics: a connection's handler turn
     * ({@code "connection <id> <remote address>"}), a task's class, or null. Best effort (read
     * without synchronisation).
     */
    public String runningNow() {
        if (!awake.get()) {
            return null;
        }
        Object c = current;
        if (c instanceof NioConnection conn) {
            return "connection " + conn.id() + " " + conn.remoteAddress();
        }
        return c == null ? null : "task " + c.getClass().getName();
    }

    @Override
    public String toString() {
        return name;
    }
}
