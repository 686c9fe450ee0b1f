package io.netpoll.benchmarks.soak;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples of one scrape of a Prometheus text exposition (format 0.0.4, what Actuator's
 * {@code /actuator/prometheus} serves), for summing series by name and labels.
 *
 * <p>Immutable. {@link #parse} skips comments and throws {@link IllegalArgumentException} for a
 * malformed sample line.
 */
final class PrometheusText {

    record Series(String name, Map<String, String> labels, double value) {}

    private final List<Series> series;

    private PrometheusText(List<Series> series) {
        this.series = series;
    }

    static PrometheusText parse(String text) {
        List<Series> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (!l.isEmpty() && l.charAt(0) != '#') {
                out.add(parseLine(l));
            }
        }
        return new PrometheusText(List.copyOf(out));
    }

    /**
     * The sum of the series called {@code name} whose labels include every {@code key, value}
     * pair given; {@code NaN} when there is none (the meter does not exist).
     */
    double sum(String name, String... labelPairs) {
        double total = 0;
        boolean found = false;
        for (Series s : series) {
            if (s.name.equals(name) && matches(s.labels, labelPairs)) {
                total += s.value;
                found = true;
            }
        }
        return found ? total : Double.NaN;
    }

    List<Series> series() {
        return series;
    }

    private static boolean matches(Map<String, String> labels, String[] pairs) {
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (!pairs[i + 1].equals(labels.get(pairs[i]))) {
                return false;
            }
        }
        return true;
    }

    private static Series parseLine(String line) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new HashMap<>();
        if (i < n && line.charAt(i) == '{') {
            i++;
            while (i < n && line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                if (eq < 0 || eq + 1 >= n || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("malformed labels: " + line);
                }
                String key = line.substring(i, eq).strip();
                StringBuilder value = new StringBuilder();
                i = eq + 2;
                for (; i < n && line.charAt(i) != '"'; i++) {
                    char c = line.charAt(i);
                    if (c == '\\' && i + 1 < n) {
                        char e = line.charAt(++i);
                        value.append(e == 'n' ? '\n' : e);
                    } else {
                        value.append(c);
                    }
                }
                if (i >= n) {
                    throw new IllegalArgumentException("unterminated label value: " + line);
                }
                labels.put(key, value.toString());
                i++; // closing quote
                if (i < n && line.charAt(i) == ',') {
                    i++;
                }
            }
            i++; // closing brace
        }
        String[] rest = line.substring(Math.min(i, n)).strip().split("\\s+");
        if (name.isEmpty() || rest.length == 0 || rest[0].isEmpty()) {
            throw new IllegalArgumentException("malformed sample: " + line);
        }
        return new Series(name, Map.copyOf(labels), value(rest[0], line));
    }

    private static double value(String text, String line) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("malformed value in: " + line, e);
                }
        }
    }
}
