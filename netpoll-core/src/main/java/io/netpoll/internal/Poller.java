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
 * One event-loop thread with its own {@link Selector}: reads ready sockets into connection
 * buffers, dispatches handlers, runs tasks handed over by other threads, and keeps the idle-timeout
 * wheel.
 *
 * <p>Threading: {@link #execute} is safe from any thread; everything else runs on the poller
 * thread. Other threads never touch the selector or selection keys directly: they queue a task,
 * and the selector is woken only if the poller is (about to be) blocked in {@code select}.
 */
public final class Poller implements Runnable {
    private static final System.Logger LOG = System.getLogger("io.netpoll.poller");
    /** Returns of select() without events, wakeup or timeout before the selector counts as spinning. */
    private static final int SPIN_THRESHOLD = 512;

    /** Anything registered with a poller that is not a connection (a listener's acceptor). */
    public interface Handler {
        void onReady(SelectionKey key);

        /** The poller is stopping: release the channel. */
        void onPollerClose();

        /** The selector was rebuilt: this is the handler's new key. */
        void rekey(SelectionKey key);
    }

    private final String name;
    private final Thread thread;
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

    public Poller(String name, AtomicLong rebuildCounter) throws IOException {
        this.name = name;
        this.rebuilds = rebuildCounter;
        this.selector = Selector.open();
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public boolean inPoller() {
        return Thread.currentThread() == thread;
    }

    /** True while the poller has not been stopped and its thread is alive (a dead thread counts as stopped). */
    public boolean isRunning() {
        return running && thread.isAlive();
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
        if (inPoller()) {
            task.run();
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

    /** Poller thread only: a connection used up its turn and has more to do after the others. */
    void continueLater(NioConnection c) {
        continuations.add(c);
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

    @Override
    public void run() {
        int spins = 0;
        while (running) {
            try {
                int selected;
                if (tasks.isEmpty() && continuations.isEmpty()) {
                    long timeoutMs = selectTimeoutMillis(System.nanoTime());
                    long before = System.nanoTime();
                    awake.set(false);
                    if (tasks.isEmpty()) {
                        selected = selector.select(onKey, timeoutMs);
                    } else {
                        selected = selector.selectNow(onKey);
                    }
                    awake.set(true);
                    if (Thread.interrupted()) {
                        // An interrupted thread's select() returns at once, forever: clear it. Pollers
                        // stop through `running`, so an interrupt (from a container or a tool that
                        // interrupts daemon threads) carries no meaning here.
                        LOG.log(System.Logger.Level.DEBUG, () -> name + ": interrupt ignored");
                        spins = 0;
                        continue;
                    }
                    if (selected == 0 && tasks.isEmpty() && running
                            && (timeoutMs == 0 || System.nanoTime() - before < TimeUnit.MILLISECONDS.toNanos(timeoutMs) / 2)) {
                        if (++spins >= SPIN_THRESHOLD) {
                            rebuildSelector();
                            spins = 0;
                        }
                    } else {
                        spins = 0;
                    }
                } else {
                    selector.selectNow(onKey);
                    Thread.interrupted(); // see above
                }
                runTasks();
                runTimers();
                runContinuations();
                if (wheel.size() > 0) {
                    wheel.advance(System.nanoTime());
                }
            } catch (Throwable t) {
                // A poller must survive anything a single key or task throws.
                LOG.log(System.Logger.Level.ERROR, name + ": unexpected error in the event loop", t);
            }
        }
        shutdownOnThread();
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
                c.closeWith(NioConnection.REASON_ERROR, t);
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
            try {
                r.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, name + ": poller task failed", t);
            }
        }
    }

    private void runContinuations() {
        int n = continuations.size();
        for (int i = 0; i < n; i++) {
            NioConnection c = continuations.poll();
            try {
                c.continueOnPoller();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, name + ": continuation failed", t);
            }
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
                        c.closeWith(NioConnection.REASON_SHUTDOWN, null);
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
            terminated.countDown();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
