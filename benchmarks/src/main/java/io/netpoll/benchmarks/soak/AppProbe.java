package io.netpoll.benchmarks.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Looks at the application under test from outside: whether its process lives, its resident set
 * size ({@code VmRSS} in {@code /proc/PID/status}, Linux), its Actuator endpoints, and a full GC
 * on request through {@code jcmd PID GC.run}. Also the machine's load average.
 *
 * <p>Thread-safe. Every call is bounded by a timeout; failures are returned as {@code -1},
 * {@code NaN} or an {@link IOException}, never hang.
 */
final class AppProbe {

    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);

    private final long pid;
    private final URI actuator;
    private final HttpClient http;

    AppProbe(long pid, String host, int httpPort) {
        this.pid = pid;
        this.actuator = URI.create("http://" + host + ":" + httpPort + "/actuator/");
        this.http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
    }

    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Resident set size in bytes, or -1 if it cannot be read (not Linux, process gone). */
    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024; // the kernel reports kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** True when {@code /actuator/health} answers 200 (all netpoll servers are UP). */
    boolean healthy() {
        try {
            return get("health").statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    PrometheusText scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = get("prometheus");
        if (r.statusCode() != 200) {
            throw new IOException("/actuator/prometheus answered " + r.statusCode());
        }
        return PrometheusText.parse(r.body());
    }

    /** Runs a full GC in the application with {@code jcmd} (of the JDK running this driver); returns what happened. */
    String fullGc() throws InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return "skipped (no jcmd at " + jcmd + ")";
        }
        try {
            Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), "GC.run"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "jcmd timed out";
            }
            return p.exitValue() == 0 ? "ok" : "jcmd exited with " + p.exitValue();
        } catch (IOException e) {
            return "jcmd failed: " + e;
        }
    }

    /** The machine's 1-minute load average, or NaN. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII)
                    .trim()
                    .split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private HttpResponse<String> get(String endpoint) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(actuator.resolve(endpoint))
                .timeout(HTTP_TIMEOUT)
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
