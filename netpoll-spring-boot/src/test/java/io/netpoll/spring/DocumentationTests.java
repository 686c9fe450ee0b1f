package io.netpoll.spring;

import com.jayway.jsonpath.JsonPath;
import io.netpoll.spring.metrics.NetpollMeters;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/properties.md names every key of the generated configuration metadata, and
 * docs/metrics.md every meter, so the reference cannot silently fall behind the code.
 */
class DocumentationTests {

    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void everyPropertyIsInPropertiesMd() throws Exception {
        String doc = Files.readString(DOCS.resolve("properties.md"));
        List<String> missing = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated metadata").isNotNull();
            List<String> names = JsonPath.read(in, "$.properties[*].name");
            for (String name : names) {
                // Named servers have the default server's keys, documented once as netpoll.server.*.
                if (!name.startsWith("netpoll.servers") && !doc.contains("`" + name + "`")) {
                    missing.add(name);
                }
            }
        }
        assertThat(missing).as("keys missing from docs/properties.md").isEmpty();
    }

    @Test
    void everyMeterIsInMetricsMd() throws Exception {
        String doc = Files.readString(DOCS.resolve("metrics.md"));
        List<String> missing = new ArrayList<>();
        for (NetpollMeters meter : NetpollMeters.values()) {
            if (!doc.contains("`" + meter.getName() + "`")) {
                missing.add(meter.getName());
            }
        }
        for (String executor : List.of(
                "executor.completed",
                "executor.active",
                "executor.running",
                "executor.queued",
                "executor.pool.size",
                "executor.parallelism")) {
            if (!doc.contains("`" + executor + "`")) {
                missing.add(executor);
            }
        }
        assertThat(missing).as("meters missing from docs/metrics.md").isEmpty();
    }

    @Test
    void noMeterNameRepeatsItsBaseUnitAndMetricsMdShowsTheTypesAndUnits() throws Exception {
        String doc = Files.readString(DOCS.resolve("metrics.md"));
        List<String> wrong = new ArrayList<>();
        for (NetpollMeters meter : NetpollMeters.values()) {
            String unit = meter.getBaseUnit();
            // Registries append the unit (Prometheus: netpoll_server_data_received_bytes_total).
            if (unit != null && List.of(meter.getName().split("\\.")).contains(unit)) {
                wrong.add(meter.getName() + " repeats its unit " + unit);
            }
            Matcher row = Pattern.compile(
                            "\\| `" + Pattern.quote(meter.getName()) + "` \\| ([A-Za-z]+) \\| ([^|]+) \\|")
                    .matcher(doc);
            if (!row.find()) {
                wrong.add(meter.getName() + ": no row in metrics.md");
                continue;
            }
            String documented = row.group(2).trim();
            String expected = (unit != null) ? unit : "—";
            if (!documented.equals(expected)) {
                wrong.add(meter.getName() + ": metrics.md says unit " + documented + ", the code " + expected);
            }
            // Gauge or TimeGauge, Counter or FunctionCounter, Timer or FunctionTimer.
            String type = row.group(1);
            boolean typeMatches = switch (meter.getType()) {
                case GAUGE -> type.endsWith("Gauge");
                case COUNTER -> type.endsWith("Counter");
                case TIMER -> type.endsWith("Timer");
                default -> false;
            };
            if (!typeMatches) {
                wrong.add(meter.getName() + ": metrics.md says " + type + ", the code " + meter.getType());
            }
        }
        assertThat(wrong).isEmpty();
    }
}
