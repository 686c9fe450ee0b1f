package io.netpoll.spring.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.netpoll.WorkerPoolStats;

/**
 * Micrometer's standard executor meters for netpoll-core's own worker pool
 * ({@link io.netpoll.PollerGroup#workerStats()}), so that dashboards built on
 * {@link ExecutorServiceMetrics} work the same whichever executor runs the handlers. Same names,
 * base units, descriptions and {@code name} tag as {@link ExecutorServiceMetrics}; the set is the
 * one it registers for a {@code ForkJoinPool} (which this pool resembles: a target parallelism,
 * extra threads for blocked workers) plus {@code executor.completed}. There is no
 * {@code executor.pool.max} or {@code executor.queue.remaining}: the pool has no such bounds.
 * <p>
 * Every meter reads the pool's counters when the registry is scraped; handlers pay nothing.
 * Thread-safe.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollWorkerPoolMetrics implements MeterBinder {

    private final WorkerPoolStats stats;

    private final Iterable<Tag> tags;

    /**
     * Create the binder.
     * @param stats the pool's statistics
     * @param name the value of the {@code name} tag, as given to {@link ExecutorServiceMetrics}
     * @param tags further tags
     */
    public NetpollWorkerPoolMetrics(WorkerPoolStats stats, String name, Iterable<Tag> tags) {
        this.stats = stats;
        this.tags = Tags.concat(tags, "name", name);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("executor.completed", this.stats, WorkerPoolStats::completedTasks)
                .tags(this.tags)
                .description("The approximate total number of tasks that have completed execution")
                .baseUnit(BaseUnits.TASKS)
                .register(registry);
        Gauge.builder("executor.active", this.stats, WorkerPoolStats::activeThreads)
                .tags(this.tags)
                .description("The approximate number of threads that are actively executing tasks")
                .baseUnit(BaseUnits.THREADS)
                .strongReference(true)
                .register(registry);
        Gauge.builder("executor.running", this.stats, WorkerPoolStats::runningThreads)
                .tags(this.tags)
                .description("An estimate of the number of worker threads that are not blocked waiting to join tasks "
                        + "or for other managed synchronization threads")
                .baseUnit(BaseUnits.THREADS)
                .strongReference(true)
                .register(registry);
        Gauge.builder("executor.queued", this.stats, WorkerPoolStats::queuedTasks)
                .tags(this.tags)
                .description("The approximate number of tasks that are queued for execution")
                .baseUnit(BaseUnits.TASKS)
                .strongReference(true)
                .register(registry);
        Gauge.builder("executor.pool.size", this.stats, WorkerPoolStats::poolSize)
                .tags(this.tags)
                .description("The current number of threads in the pool")
                .baseUnit(BaseUnits.THREADS)
                .strongReference(true)
                .register(registry);
        Gauge.builder("executor.parallelism", this.stats, WorkerPoolStats::parallelism)
                .tags(this.tags)
                .description("The targeted parallelism level of this pool")
                .baseUnit(BaseUnits.THREADS)
                .strongReference(true)
                .register(registry);
    }
}
