package io.netpoll.benchmarks;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of the benchmark threads per operation ({@code cpu.time.norm}, ns/op): use with
 * {@code -prof io.netpoll.benchmarks.CpuTimeProfiler}.
 *
 * <p>Why: the machine these numbers come from has two cores shared with other builds, and
 * wall-clock time per operation includes the time a benchmark thread waited for a core. The CPU
 * time the benchmark thread itself consumed is much less sensitive to that (cache pollution by the
 * neighbours still shows). It sums the thread CPU time of the JMH worker threads
 * ({@link NettyEventLoopLikeExecutor} names them {@code *-ftl-*}) over an iteration and divides by
 * the operations of the iteration (all of them, as {@code -prof gc} does for its {@code .norm}).
 */
public final class CpuTimeProfiler implements InternalProfiler {

    private static final String WORKER_MARK = "-ftl-";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private Map<Long, Long> before = Map.of();

    public CpuTimeProfiler() {
        if (!threads.isThreadCpuTimeSupported()) {
            throw new IllegalStateException("thread CPU time is not supported by this JVM");
        }
        threads.setThreadCpuTimeEnabled(true);
    }

    @Override
    public String getDescription() {
        return "CPU time of the benchmark worker threads per operation (ns/op)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = snapshot();
    }

    @Override
    public List<? extends Result> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        Map<Long, Long> after = snapshot();
        long cpu = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            cpu += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        long ops = result.getMetadata().getAllOps();
        if (after.isEmpty() || ops == 0) {
            return List.of();
        }
        return List.of(new ScalarResult("cpu.time.norm", (double) cpu / ops, "ns/op", AggregationPolicy.AVG));
    }

    private Map<Long, Long> snapshot() {
        Map<Long, Long> m = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains(WORKER_MARK)) {
                long c = threads.getThreadCpuTime(t.getId());
                if (c >= 0) {
                    m.put(t.getId(), c);
                }
            }
        }
        return m;
    }
}
