package io.netpoll.benchmarks.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The soak driver's settings, from {@code --name=value} arguments. Only the ports and the
 * process id of the application under test are required; every other setting has a default.
 *
 * <p>Immutable. {@link #parse} throws {@link IllegalArgumentException} for an unknown or malformed
 * argument, with the message a user needs.
 */
record SoakOptions(
        String host,
        int echoPort,
        int proxyPort,
        int httpPort,
        long pid,
        Path appLog,
        Path outDir,
        Duration duration,
        Duration interval,
        Duration warmup,
        Duration readyTimeout,
        Duration ioTimeout,
        int echoConnections,
        int kvConnections,
        int churnThreads,
        int churnRate,
        long seed,
        String appInfo) {

    static final String USAGE = """
            usage: SoakDriver --echo-port=P --proxy-port=P --http-port=P --pid=PID [options]
              --app-log=FILE        the application's log, searched for leak reports
              --out=DIR             where samples.csv, summary.md and rss.png go (default target/soak)
              --duration=10m        how long the load runs (s, m, h suffixes)
              --interval=5s         time between samples
              --warmup=             excluded from the trend (default: a fifth of the duration, at most 60s)
              --ready-timeout=120s  how long to wait for the application to answer
              --io-timeout=10s      connect and read timeout of every client socket
              --echo-connections=4  persistent echo connections (one thread each)
              --kv-connections=4    persistent kv connections through the proxy (one thread each)
              --churn-threads=2     threads that connect, make one request and close
              --churn-rate=200      connections per second over all churn threads
              --seed=               random seed (default: from the clock)
              --app-info=TEXT       how the application was started, for the summary
            """;

    static SoakOptions parse(String... args) {
        Map<String, String> values = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --name=value, got: " + arg);
            }
            values.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        Args a = new Args(values);
        Duration duration = a.duration("duration", "10m");
        Duration defaultWarmup = duration.dividedBy(5).compareTo(Duration.ofSeconds(60)) > 0
                ? Duration.ofSeconds(60)
                : duration.dividedBy(5);
        SoakOptions options = new SoakOptions(
                "127.0.0.1",
                a.port("echo-port"),
                a.port("proxy-port"),
                a.port("http-port"),
                a.positiveLong("pid", null),
                a.has("app-log") ? Path.of(a.string("app-log")) : null,
                Path.of(a.has("out") ? a.string("out") : "target/soak"),
                duration,
                a.duration("interval", "5s"),
                a.has("warmup") ? a.duration("warmup", null) : defaultWarmup,
                a.duration("ready-timeout", "120s"),
                a.duration("io-timeout", "10s"),
                (int) a.positiveLong("echo-connections", "4"),
                (int) a.positiveLong("kv-connections", "4"),
                (int) a.positiveLong("churn-threads", "2"),
                (int) a.positiveLong("churn-rate", "200"),
                a.has("seed") ? Long.parseLong(a.string("seed")) : System.nanoTime(),
                a.has("app-info") ? a.string("app-info") : "");
        if (!a.unused().isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): " + a.unused());
        }
        if (options.warmup.compareTo(options.duration) >= 0) {
            throw new IllegalArgumentException("--warmup must be shorter than --duration");
        }
        return options;
    }

    /** Parses {@code 90}, {@code 90s}, {@code 10m}, {@code 1h}, {@code 500ms}; plain numbers are seconds. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (t.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else {
                long n = Long.parseLong(t.replaceFirst("[smh]$", ""));
                d = switch (t.charAt(t.length() - 1)) {
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofSeconds(n);
                };
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a duration (90s, 10m, 1h): " + text, e);
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("a duration must be positive: " + text);
        }
        return d;
    }

    private static final class Args {
        private final Map<String, String> values;
        private final Map<String, String> unused;

        Args(Map<String, String> values) {
            this.values = values;
            this.unused = new HashMap<>(values);
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        String string(String name) {
            unused.remove(name);
            String v = values.get(name);
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("--" + name + " is required");
            }
            return v;
        }

        String orDefault(String name, String def) {
            return has(name) || def == null ? string(name) : def;
        }

        int port(String name) {
            long p = positiveLong(name, null);
            if (p > 65535) {
                throw new IllegalArgumentException("--" + name + " is not a port: " + p);
            }
            return (int) p;
        }

        long positiveLong(String name, String def) {
            String v = orDefault(name, def);
            try {
                long n = Long.parseLong(v.trim());
                if (n <= 0) {
                    throw new IllegalArgumentException("--" + name + " must be positive: " + v);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " is not a number: " + v, e);
            }
        }

        Duration duration(String name, String def) {
            return parseDuration(orDefault(name, def));
        }

        Map<String, String> unused() {
            return unused;
        }
    }
}
