package io.netpoll.benchmarks.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak test's load driver and recorder (run by {@code sample-app/scripts/soak.sh}, which
 * starts the application). Runs mixed load against a running sample app for a chosen time: echo
 * round trips, kv commands through the proxy, and connection churn, every answer verified; samples
 * throughput, errors, the application's RSS, heap, netpoll buffer memory and connections every
 * interval into {@code samples.csv}; then stops the load, checks that the application lets go of
 * every connection and every buffer, runs a full GC, counts leak reports in the application's log,
 * and writes {@code summary.md} and {@code rss.png}.
 *
 * <p>A command-line program: prints progress to standard output and exits with 0 when the soak
 * passed, 1 when it failed (see {@link SoakReport}), 2 when it could not run (bad arguments, the
 * application never became ready).
 */
public final class SoakDriver {

    /** How long the application gets to close connections and return buffers after the load stops. */
    private static final Duration QUIESCE_TIMEOUT = Duration.ofSeconds(30);

    private final SoakOptions options;
    private final AppProbe probe;
    private final List<Workload> workloads;
    private final List<Sample> samples = new ArrayList<>();
    private int scrapeFailures;

    SoakDriver(SoakOptions options) {
        this.options = options;
        this.probe = new AppProbe(options.pid(), options.host(), options.httpPort());
        this.workloads = List.of(
                new EchoWorkload(
                        options.host(),
                        options.echoPort(),
                        options.echoConnections(),
                        options.ioTimeout(),
                        options.seed()),
                new KvWorkload(
                        options.host(),
                        options.proxyPort(),
                        options.kvConnections(),
                        options.ioTimeout(),
                        options.seed()),
                new ChurnWorkload(
                        options.host(),
                        options.echoPort(),
                        options.proxyPort(),
                        options.churnThreads(),
                        options.churnRate(),
                        options.ioTimeout(),
                        options.seed()));
    }

    public static void main(String[] args) throws Exception {
        SoakOptions options;
        try {
            options = SoakOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(SoakOptions.USAGE);
            System.exit(2);
            return;
        }
        System.exit(new SoakDriver(options).run());
    }

    /** Runs the soak; returns the exit status. */
    int run() throws IOException, InterruptedException {
        Files.createDirectories(options.outDir());
        if (!awaitReady()) {
            return 2;
        }
        SoakReport report;
        try (SampleCsv csv = new SampleCsv(
                options.outDir().resolve("samples.csv"),
                workloads.stream().map(Workload::name).toList())) {
            report = soak(csv);
        }
        String summary = report.markdown();
        Files.writeString(options.outDir().resolve("summary.md"), summary, StandardCharsets.UTF_8);
        RssPlot.write(
                options.outDir().resolve("rss.png"),
                "sample-app memory during a " + fmtDuration(options.duration()) + " soak",
                samples,
                options.warmup().toMillis() / 1000.0,
                loadSeconds());
        System.out.println();
        System.out.print(summary);
        System.out.println();
        System.out.println("samples, summary and plot in " + options.outDir().toAbsolutePath());
        return report.passed() ? 0 : 1;
    }

    private SoakReport soak(SampleCsv csv) throws IOException, InterruptedException {
        long[] lastOps = new long[workloads.size()];
        record(csv, sample("idle", 0, new double[workloads.size()]));
        long start = System.nanoTime();
        for (Workload w : workloads) {
            w.start();
        }
        System.out.printf(
                Locale.ROOT,
                "load started: %s, a sample every %s%n",
                fmtDuration(options.duration()),
                fmtDuration(options.interval()));
        long intervalNanos = options.interval().toNanos();
        long endNanos = start + options.duration().toNanos();
        long previous = start;
        double liveHeapAtWarmup = Double.NaN;
        String died = null;
        for (long tick = start + intervalNanos; died == null; tick += intervalNanos) {
            long due = Math.min(tick, endNanos);
            // bounded: the next sample is due at a fixed time; parkNanos may return early
            for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            long now = System.nanoTime();
            double[] rates = new double[workloads.size()];
            for (int i = 0; i < rates.length; i++) {
                long ops = workloads.get(i).ops();
                rates[i] = (ops - lastOps[i]) * 1e9 / (now - previous);
                lastOps[i] = ops;
            }
            previous = now;
            double seconds = (now - start) / 1e9;
            if (!probe.alive()) {
                died = String.format(Locale.ROOT, "gone at %.0f s", seconds);
                break;
            }
            Sample s = sample("load", seconds, rates);
            record(csv, s);
            progress(s);
            if (Double.isNaN(liveHeapAtWarmup) && seconds >= options.warmup().toMillis() / 1000.0) {
                liveHeapAtWarmup = liveHeapAfterGc("warm-up end");
            }
            if (now - endNanos >= 0) {
                break;
            }
        }
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        System.out.println("stopping the load");
        for (Workload w : workloads) {
            if (!w.stop(options.ioTimeout().plusSeconds(5))) {
                System.out.println(w.name() + ": a worker did not stop in time");
            }
        }
        if (died == null && !probe.alive()) {
            died = "gone after the load stopped";
        }
        AppMetrics quiet = AppMetrics.MISSING;
        AppMetrics afterLoad = AppMetrics.MISSING;
        long rssAfterLoad = -1;
        double liveHeapAfterLoad = Double.NaN;
        if (died == null) {
            quiet = awaitQuiet();
            liveHeapAfterLoad = liveHeapAfterGc("after load");
            Sample after = sample("after", (System.nanoTime() - start) / 1e9, new double[workloads.size()]);
            record(csv, after);
            afterLoad = after.app();
            rssAfterLoad = after.rssBytes();
            if (!probe.alive()) {
                died = "gone after the load stopped";
            }
        }
        AppLog log = options.appLog() == null ? null : AppLog.read(options.appLog());
        return new SoakReport(
                options,
                options.appInfo(),
                workloads.stream().map(SoakReport.WorkloadResult::of).toList(),
                samples,
                new SoakReport.Ending(
                        loadSeconds,
                        died,
                        quiet,
                        afterLoad,
                        rssAfterLoad,
                        liveHeapAtWarmup,
                        liveHeapAfterLoad,
                        log,
                        scrapeFailures));
    }

    /** Waits until the application answers on Actuator health; false if it died or did not in time. */
    private boolean awaitReady() {
        long deadline = System.nanoTime() + options.readyTimeout().toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!probe.alive()) {
                System.err.println("the application (pid " + options.pid() + ") exited before it was ready");
                return false;
            }
            if (probe.healthy()) {
                return true;
            }
            LockSupport.parkNanos(Duration.ofMillis(250).toNanos()); // polling an external process
        }
        System.err.println("the application was not ready within " + fmtDuration(options.readyTimeout()));
        return false;
    }

    /**
     * After the load: polls until no connection is open and no netpoll buffer memory is in use, or
     * {@link #QUIESCE_TIMEOUT}; returns the last metrics seen.
     */
    private AppMetrics awaitQuiet() {
        long deadline = System.nanoTime() + QUIESCE_TIMEOUT.toNanos();
        AppMetrics last = scrape();
        while (!(last.openConnections() == 0 && last.netpollUsed() == 0) && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // polling an external process
            last = scrape();
        }
        return last;
    }

    /** Full GC in the application, then the heap it still uses: the live set. */
    private double liveHeapAfterGc(String when) throws InterruptedException {
        String gc = probe.fullGc();
        AppMetrics after = scrape();
        System.out.println("full GC at " + when + ": " + gc + ", heap used after it "
                + SoakReport.fmt(after.heapUsed() / (1024 * 1024.0), 1) + " MiB");
        return "ok".equals(gc) ? after.heapUsed() : Double.NaN;
    }

    private Sample sample(String phase, double seconds, double[] rates) {
        long[] errors = workloads.stream().mapToLong(Workload::errors).toArray();
        return new Sample(phase, seconds, rates, errors, probe.rssBytes(), scrape(), AppProbe.loadAverage());
    }

    private AppMetrics scrape() {
        try {
            return AppMetrics.from(probe.scrape());
        } catch (IOException | RuntimeException e) {
            scrapeFailures++;
            System.out.println("scrape failed: " + e);
            return AppMetrics.MISSING;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AppMetrics.MISSING;
        }
    }

    private void record(SampleCsv csv, Sample s) throws IOException {
        samples.add(s);
        csv.write(s);
    }

    private void progress(Sample s) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%6.0fs", s.seconds()));
        long errors = 0;
        for (int i = 0; i < workloads.size(); i++) {
            b.append(String.format(Locale.ROOT, " %s %.0f/s", workloads.get(i).name(), s.opsPerSecond()[i]));
            errors += s.errors()[i];
        }
        double mib = 1024 * 1024.0;
        b.append(" | errors ")
                .append(errors)
                .append(" | RSS ")
                .append(SoakReport.fmt(s.rssBytes() / mib, 1))
                .append(" MiB, heap ")
                .append(SoakReport.fmt(s.app().heapUsed() / mib, 1))
                .append(" MiB, netpoll used/pooled ")
                .append(SoakReport.fmt(s.app().netpollUsed() / 1024, 0))
                .append('/')
                .append(SoakReport.fmt(s.app().netpollPooled() / 1024, 0))
                .append(" KiB")
                .append(" | load ")
                .append(SoakReport.fmt(s.loadAverage(), 2));
        System.out.println(b);
    }

    private double loadSeconds() {
        return samples.stream()
                .filter(s -> s.phase().equals("load"))
                .mapToDouble(Sample::seconds)
                .max()
                .orElse(0);
    }

    static String fmtDuration(Duration d) {
        long s = d.toSeconds();
        if (s == 0) {
            return d.toMillis() + "ms";
        }
        return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
