package io.netpoll.benchmarks.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The verdict and the summary of a soak, computed from its samples and what the driver saw at
 * the end. A soak fails on any workload error, any leak report in the application's log, an
 * application that died, a workload that completed nothing, or connections or netpoll buffer
 * memory still held once the load has stopped and every client connection is closed.
 *
 * <p>Immutable once built; {@link #markdown()} renders the summary.
 */
final class SoakReport {

    private static final double MIB = 1024.0 * 1024.0;

    /** A workload's totals at the end of the run. */
    record WorkloadResult(String name, String unit, long ops, long errors, List<String> errorMessages) {
        static WorkloadResult of(Workload w) {
            return new WorkloadResult(w.name(), w.unit(), w.ops(), w.errors(), w.errorMessages());
        }
    }

    /** What the driver found after the load stopped. */
    /**
     * What the driver found after the load stopped.
     *
     * @param quiet     the application's meters once it had closed every connection and given back
     *                  every buffer, or when it had not after the driver's timeout (before the final GC:
     *                  a leaked node still counts as used until the leak detector finds it)
     * @param afterLoad the meters after the final GC
     */
    record Ending(
            double loadSeconds,
            String appDied,
            AppMetrics quiet,
            AppMetrics afterLoad,
            long rssAfterLoad,
            double liveHeapAtWarmup,
            double liveHeapAfterLoad,
            AppLog log,
            int scrapeFailures) {

        boolean quiesced() {
            return quiet.openConnections() == 0 && quiet.netpollUsed() == 0;
        }
    }

    private final SoakOptions options;
    private final String appInfo;
    private final List<WorkloadResult> workloads;
    private final List<Sample> samples;
    private final Ending end;
    private final List<String> failures = new ArrayList<>();

    SoakReport(SoakOptions options, String appInfo, List<WorkloadResult> workloads, List<Sample> samples, Ending end) {
        this.options = options;
        this.appInfo = appInfo;
        this.workloads = List.copyOf(workloads);
        this.samples = List.copyOf(samples);
        this.end = end;
        judge();
    }

    boolean passed() {
        return failures.isEmpty();
    }

    List<String> failures() {
        return failures;
    }

    private void judge() {
        for (WorkloadResult w : workloads) {
            if (w.errors > 0) {
                failures.add(w.name + ": " + w.errors + " error(s)");
            }
            if (w.ops == 0) {
                failures.add(w.name + ": no operation completed");
            }
        }
        if (end.appDied != null) {
            failures.add("the application died: " + end.appDied);
        }
        if (end.log == null) {
            failures.add("no application log to search for leak reports (--app-log)");
        } else if (end.log.leakReports() > 0) {
            failures.add(end.log.leakReports() + " buffer leak report(s) in the application's log");
        }
        if (end.appDied == null && !end.quiesced()) {
            AppMetrics a = end.quiet;
            failures.add("after the load stopped the application still held " + fmt(a.openConnections(), 0)
                    + " connection(s) and " + fmt(a.netpollUsed(), 0) + " bytes of netpoll buffer memory");
        }
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Soak: ").append(passed() ? "PASSED" : "FAILED").append("\n\n");
        if (!passed()) {
            for (String f : failures) {
                b.append("- ").append(f).append('\n');
            }
            b.append('\n');
        }
        b.append("Load ")
                .append(fmt(end.loadSeconds, 0))
                .append(" s (warm-up ")
                .append(options.warmup().toSeconds())
                .append(" s), a sample every ")
                .append(options.interval().toSeconds())
                .append(" s; ")
                .append(options.echoConnections())
                .append(" echo and ")
                .append(options.kvConnections())
                .append(" kv-through-proxy connections, ")
                .append(options.churnThreads())
                .append(" churn threads at ")
                .append(options.churnRate())
                .append(" connections/s; seed ")
                .append(options.seed())
                .append(".\n");
        if (appInfo != null && !appInfo.isBlank()) {
            b.append("Application: ").append(appInfo).append(".\n");
        }
        b.append("\n| workload | completed | mean rate | per interval after warm-up (min–max) | errors |\n");
        b.append("|---|---:|---:|---:|---:|\n");
        for (int i = 0; i < workloads.size(); i++) {
            WorkloadResult w = workloads.get(i);
            int index = i;
            double[] range = range(load(true), s -> s.opsPerSecond()[index]);
            b.append("| ")
                    .append(w.name)
                    .append(" (")
                    .append(w.unit)
                    .append(") | ")
                    .append(w.ops)
                    .append(" | ")
                    .append(fmt(w.ops / end.loadSeconds, 0))
                    .append("/s | ")
                    .append(fmt(range[0], 0))
                    .append("–")
                    .append(fmt(range[1], 0))
                    .append("/s | ")
                    .append(w.errors)
                    .append(" |\n");
        }
        b.append("\n| measure | value |\n|---|---|\n");
        Sample idle = first("idle");
        Sample warm = firstAfterWarmup();
        List<Sample> steady = load(true);
        Sample last = lastLoad();
        ToDoubleFunction<Sample> rss = s -> s.rssBytes() < 0 ? Double.NaN : s.rssBytes() / MIB;
        double[] rssRange = range(steady, rss);
        row(
                b,
                "RSS (MiB): idle / warm-up end / min–max after warm-up / load end / after load",
                mib(idle, rss) + " / " + mib(warm, rss) + " / " + fmt(rssRange[0], 1) + "–" + fmt(rssRange[1], 1)
                        + " / " + mib(last, rss) + " / "
                        + fmt(end.rssAfterLoad < 0 ? Double.NaN : end.rssAfterLoad / MIB, 1));
        row(b, "RSS trend after warm-up (least squares)", fmt(slopePerHour(steady, rss), 1) + " MiB/hour");
        ToDoubleFunction<Sample> heap = s -> s.app().heapUsed() / MIB;
        double[] heapRange = range(steady, heap);
        row(b, "heap used (MiB): min–max after warm-up", fmt(heapRange[0], 1) + "–" + fmt(heapRange[1], 1));
        row(
                b,
                "heap committed (MiB): warm-up end / load end",
                mib(warm, s -> s.app().heapCommitted() / MIB) + " / "
                        + mib(last, s -> s.app().heapCommitted() / MIB));
        row(
                b,
                "live heap after a full GC (MiB): warm-up end / after load",
                fmt(end.liveHeapAtWarmup / MIB, 1) + " / " + fmt(end.liveHeapAfterLoad / MIB, 1));
        row(
                b,
                "non-heap used (MiB): warm-up end / load end",
                mib(warm, s -> s.app().nonHeapUsed() / MIB) + " / "
                        + mib(last, s -> s.app().nonHeapUsed() / MIB));
        double[] used = range(load(false), s -> s.app().netpollUsed());
        double[] pooled = range(load(false), s -> s.app().netpollPooled());
        row(
                b,
                "netpoll buffer memory (KiB): max used / max pooled during load",
                fmt(used[1] / 1024, 0) + " / " + fmt(pooled[1] / 1024, 0));
        row(
                b,
                "netpoll buffer memory after load, before the final GC (bytes): used / pooled",
                fmt(end.quiet.netpollUsed(), 0) + " / " + fmt(end.quiet.netpollPooled(), 0));
        row(b, "connections open after load (servers + dialer)", fmt(end.quiet.openConnections(), 0));
        row(
                b,
                "threads: warm-up end / after load",
                val(warm, s -> s.app().threads()) + " / " + fmt(end.afterLoad.threads(), 0));
        row(
                b,
                "open files: warm-up end / after load",
                val(warm, s -> s.app().openFiles()) + " / " + fmt(end.afterLoad.openFiles(), 0));
        row(
                b,
                "handler errors counted by the app (netpoll.server.handler.errors)",
                fmt(end.afterLoad.handlerErrors(), 0));
        row(b, "connections rejected by the app", fmt(end.afterLoad.rejectedConnections(), 0));
        row(b, "leak reports in the app's log", end.log == null ? "(no log)" : Long.toString(end.log.leakReports()));
        row(b, "ERROR lines in the app's log", end.log == null ? "(no log)" : Long.toString(end.log.errorLines()));
        double[] load = range(load(false), Sample::loadAverage);
        row(b, "machine load average (1 min): min–max", fmt(load[0], 2) + "–" + fmt(load[1], 2));
        row(b, "failed Actuator scrapes", Integer.toString(end.scrapeFailures));
        for (WorkloadResult w : workloads) {
            if (!w.errorMessages.isEmpty()) {
                b.append("\nFirst errors of ").append(w.name).append(":\n\n");
                for (String m : w.errorMessages) {
                    b.append("    ").append(m).append('\n');
                }
            }
        }
        if (end.log != null && !end.log.firstLeaks().isEmpty()) {
            b.append("\nFirst leak reports:\n\n");
            for (String l : end.log.firstLeaks()) {
                b.append("    ").append(l).append('\n');
            }
        }
        return b.toString();
    }

    /** Load samples; with {@code afterWarmup}, only those at or after the end of the warm-up. */
    private List<Sample> load(boolean afterWarmup) {
        double from = afterWarmup ? options.warmup().toMillis() / 1000.0 : 0;
        return samples.stream()
                .filter(s -> s.phase().equals("load") && s.seconds() >= from)
                .toList();
    }

    private Sample first(String phase) {
        return samples.stream().filter(s -> s.phase().equals(phase)).findFirst().orElse(null);
    }

    private Sample firstAfterWarmup() {
        List<Sample> steady = load(true);
        return steady.isEmpty() ? null : steady.get(0);
    }

    private Sample lastLoad() {
        List<Sample> all = load(false);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** Slope of the least-squares line through the values, per hour of load. */
    static double slopePerHour(List<Sample> samples, ToDoubleFunction<Sample> f) {
        double n = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (Sample s : samples) {
            double y = f.applyAsDouble(s);
            if (Double.isNaN(y)) {
                continue;
            }
            double x = s.seconds() / 3600;
            n++;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double d = n * sxx - sx * sx;
        return n < 2 || d == 0 ? Double.NaN : (n * sxy - sx * sy) / d;
    }

    /** {min, max} of the non-NaN values, {NaN, NaN} when there is none. */
    static double[] range(List<Sample> samples, ToDoubleFunction<Sample> f) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Sample s : samples) {
            double v = f.applyAsDouble(s);
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return min > max ? new double[] {Double.NaN, Double.NaN} : new double[] {min, max};
    }

    private static void row(StringBuilder b, String measure, String value) {
        b.append("| ").append(measure).append(" | ").append(value).append(" |\n");
    }

    private static String mib(Sample s, ToDoubleFunction<Sample> f) {
        return s == null ? "n/a" : fmt(f.applyAsDouble(s), 1);
    }

    private static String val(Sample s, ToDoubleFunction<Sample> f) {
        return s == null ? "n/a" : fmt(f.applyAsDouble(s), 0);
    }

    static String fmt(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
