package io.netpoll.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default handler executor (netpoll's gopool): grows a thread per concurrently running
 * handler, so handlers may block in {@code next(n)}, and reuses idle threads for 60 s. The hand-off
 * is a {@link SynchronousQueue}, which spins briefly before parking, so a worker that just finished
 * usually takes the next task without a wake-up. Thread-safe.
 */
public final class WorkerPool {
    private WorkerPool() {
    }

    public static ExecutorService create(String prefix) {
        AtomicInteger ids = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, prefix + ids.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        return pool;
    }

    /** Runs tasks on the calling thread; marks inline (poller) execution. */
    public static final Executor DIRECT = Runnable::run;
}
