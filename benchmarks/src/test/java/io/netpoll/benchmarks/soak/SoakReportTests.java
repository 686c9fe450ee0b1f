package io.netpoll.benchmarks.soak;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SoakReportTests {

    private static final double MIB = 1024 * 1024;
    private static final SoakOptions OPTIONS = SoakOptions.parse(
            "--echo-port=1",
            "--proxy-port=2",
            "--http-port=3",
            "--pid=4",
            "--duration=60s",
            "--interval=5s",
            "--seed=9");
    private static final AppLog CLEAN_LOG = new AppLog(0, 0, List.of());

    @Test
    void aCleanRunPassesAndSummarisesMemory() {
        SoakReport r = report(workloads(0), ending(null, quiet(0, 0), CLEAN_LOG));
        assertThat(r.failures()).isEmpty();
        assertThat(r.passed()).isTrue();
        String md = r.markdown();
        assertThat(md).startsWith("# Soak: PASSED");
        assertThat(md).contains("| echo (round trips) | 6000 | 100/s | 100–100/s | 0 |");
        // RSS rises 1 MiB per 5 s sample from 300 MiB: idle 300, first after the 12 s warm-up at 15 s
        assertThat(md)
                .contains("| RSS (MiB): idle / warm-up end / min–max after warm-up / load end / after load"
                        + " | 300.0 / 303.0 / 303.0–312.0 / 312.0 / 310.0 |");
        assertThat(md).contains("| RSS trend after warm-up (least squares) | 720.0 MiB/hour |");
        assertThat(md).contains("| leak reports in the app's log | 0 |");
    }

    @Test
    void anyWorkloadErrorFailsTheRunAndItsMessagesAreShown() {
        SoakReport r = report(workloads(2), ending(null, quiet(0, 0), CLEAN_LOG));
        assertThat(r.passed()).isFalse();
        assertThat(r.failures()).containsExactly("echo: 2 error(s)");
        assertThat(r.markdown()).contains("First errors of echo:", "echo-0: boom");
    }

    @Test
    void leakReportsADeadAppAndHeldMemoryEachFailTheRun() {
        AppLog leaky = new AppLog(3, 0, List.of("WARN io.netpoll.buffer.leak : LEAK: a 4096-byte buffer node"));
        assertThat(report(workloads(0), ending(null, quiet(0, 0), leaky)).failures())
                .containsExactly("3 buffer leak report(s) in the application's log");
        assertThat(report(workloads(0), ending("gone at 30 s", AppMetrics.MISSING, CLEAN_LOG))
                        .failures())
                .containsExactly("the application died: gone at 30 s");
        assertThat(report(workloads(0), ending(null, quiet(2, 4096), CLEAN_LOG)).failures())
                .containsExactly("after the load stopped the application still held 2 connection(s) and 4096 bytes"
                        + " of netpoll buffer memory");
        assertThat(report(workloads(0), ending(null, quiet(0, 0), null)).failures())
                .containsExactly("no application log to search for leak reports (--app-log)");
    }

    @Test
    void aWorkloadThatCompletedNothingFailsTheRun() {
        List<SoakReport.WorkloadResult> idle =
                List.of(new SoakReport.WorkloadResult("echo", "round trips", 0, 0, List.of()));
        assertThat(report(idle, ending(null, quiet(0, 0), CLEAN_LOG)).failures())
                .containsExactly("echo: no operation completed");
    }

    private static SoakReport report(List<SoakReport.WorkloadResult> workloads, SoakReport.Ending end) {
        return new SoakReport(OPTIONS, "test", workloads, samples(), end);
    }

    private static List<SoakReport.WorkloadResult> workloads(long errors) {
        return List.of(new SoakReport.WorkloadResult(
                "echo", "round trips", 6000, errors, errors == 0 ? List.of() : List.of("echo-0: boom")));
    }

    /** Idle at 300 MiB, then one sample every 5 s for 60 s, RSS rising 1 MiB per sample. */
    static List<Sample> samples() {
        List<Sample> s = new ArrayList<>();
        s.add(sample("idle", 0, 0, 300));
        for (int i = 1; i <= 12; i++) {
            s.add(sample("load", 5 * i, 100, 300 + i));
        }
        return s;
    }

    private static Sample sample(String phase, double seconds, double rate, double rssMib) {
        AppMetrics app =
                new AppMetrics(50 * MIB, 256 * MIB, 60 * MIB, 1 * MIB, 4096, 8 * MIB, 1, 1, 1, 1, 30, 40, 0, 0);
        return new Sample(phase, seconds, new double[] {rate}, new long[] {0}, (long) (rssMib * MIB), app, 1.5);
    }

    private static AppMetrics quiet(double connections, double used) {
        return new AppMetrics(
                20 * MIB, 256 * MIB, 60 * MIB, 1 * MIB, used, 8 * MIB, connections, 0, 0, 0, 30, 20, 0, 0);
    }

    private static SoakReport.Ending ending(String died, AppMetrics quiet, AppLog log) {
        return new SoakReport.Ending(60, died, quiet, quiet, (long) (310 * MIB), 22 * MIB, 21 * MIB, log, 0);
    }
}
