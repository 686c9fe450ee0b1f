package io.netpoll.benchmarks.soak;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * One kind of load, run by a few platform threads, each looping {@link #run(int)} until
 * {@link #stop}. Counts completed operations and errors; an error is anything that is not the
 * exact expected answer: an exception (refused, reset, timed out) or a verification failure.
 *
 * <p>Threading: counters and the error list may be read from any thread while the workload runs.
 * Each worker thread owns its sockets; {@link #stop} sets a flag that workers check between
 * operations, so it takes at most one operation (bounded by the socket timeouts) per thread.
 */
abstract class Workload {

    /** How many error messages are kept for the report (all errors are counted). */
    static final int KEPT_ERRORS = 20;

    static final long ERROR_PAUSE_MILLIS = 100;

    private final String name;
    private final String unit;
    private final int threadCount;
    private final LongAdder ops = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicInteger kept = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> errorMessages = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    protected final String host;
    protected final int timeoutMillis;

    Workload(String name, String unit, int threadCount, String host, Duration ioTimeout) {
        this.name = name;
        this.unit = unit;
        this.threadCount = threadCount;
        this.host = host;
        this.timeoutMillis = Math.toIntExact(ioTimeout.toMillis());
    }

    /** The loop of worker {@code index}: runs operations until {@link #stopping()} is true. */
    protected abstract void run(int index);

    final void start() {
        for (int i = 0; i < threadCount; i++) {
            int index = i;
            Thread t = new Thread(() -> run(index), "soak-" + name + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Asks the workers to finish their current operation and waits up to {@code timeout} for all of them. */
    final boolean stop(Duration timeout) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, left / 1_000_000));
            }
        }
        return threads.stream().noneMatch(Thread::isAlive);
    }

    protected final boolean stopping() {
        return stopping;
    }

    protected final void completed(long n) {
        ops.add(n);
    }

    /**
     * Counts an error and keeps its message if fewer than {@value #KEPT_ERRORS} were kept; then
     * pauses the worker for {@value #ERROR_PAUSE_MILLIS} ms, so that a server that is gone is not
     * hammered by a loop of failing connects (one error already fails the soak).
     */
    protected final void error(String message) {
        errors.increment();
        if (kept.getAndIncrement() < KEPT_ERRORS) {
            errorMessages.add(Thread.currentThread().getName() + ": " + message);
        }
        LockSupport.parkNanos(ERROR_PAUSE_MILLIS * 1_000_000L);
    }

    protected final void error(String what, Exception e) {
        error(what + ": " + e);
    }

    protected final Socket connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMillis);
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            return s;
        } catch (IOException e) {
            closeQuietly(s);
            throw e;
        }
    }

    protected static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is best effort; the error that led here was already counted
            }
        }
    }

    String name() {
        return name;
    }

    /** What one operation is, for the report ("round trips", "commands", "connections"). */
    String unit() {
        return unit;
    }

    long ops() {
        return ops.sum();
    }

    long errors() {
        return errors.sum();
    }

    List<String> errorMessages() {
        return List.copyOf(errorMessages);
    }
}
