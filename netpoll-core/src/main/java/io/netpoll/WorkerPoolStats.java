package io.netpoll;

/**
 * Read-only gauges of a {@link PollerGroup}'s default worker pool (netpoll's gopool), the
 * executor that runs handlers unless {@link Option#executor} or {@link Option#inlineHandlers}
 * says otherwise. The names follow the executor meters Micrometer publishes for a
 * {@code ForkJoinPool}, which this pool resembles (a target parallelism, extra threads for
 * workers that block).
 *
 * <p>Threading: thread-safe. Each value is read under the pool's lock (taken by workers only
 * between tasks), so it is exact when read, but two values read one after the other may belong
 * to different moments. Nothing here costs the handlers anything: the counters are the ones the
 * pool keeps to schedule, plus a completed-task count added where a worker already holds the
 * lock to take its next task.
 */
public interface WorkerPoolStats {
    /** Worker threads alive now (running a task, blocked in one, or parked idle). */
    int poolSize();

    /** Workers busy with a task, whether running or blocked in a read or flush. */
    int activeThreads();

    /**
     * Workers running and not blocked in a connection's read or flush: at most
     * {@link #parallelism()} unless a blocked worker has just woken up.
     */
    int runningThreads();

    /** How many workers the pool keeps running while tasks are queued (the number of cores). */
    int parallelism();

    /** Tasks queued and not yet taken by a worker. */
    long queuedTasks();

    /** Tasks finished since the pool was created (including tasks that threw). */
    long completedTasks();
}
