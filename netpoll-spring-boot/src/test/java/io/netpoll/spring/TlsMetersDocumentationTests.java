package io.netpoll.spring;

import io.netpoll.spring.metrics.NetpollTlsMeters;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/metrics.md lists every TLS meter ({@link NetpollTlsMeters}) with its type and base unit,
 * as {@link DocumentationTests} does for {@code NetpollMeters}.
 */
class TlsMetersDocumentationTests {

    @Test
    void everyTlsMeterIsInMetricsMdWithItsUnitAndNoNameRepeatsItsUnit() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "metrics.md"));
        List<String> wrong = new ArrayList<>();
        for (NetpollTlsMeters meter : NetpollTlsMeters.values()) {
            String unit = meter.getBaseUnit();
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
            String expectedUnit = (unit != null) ? unit : "—";
            if (!row.group(2).trim().equals(expectedUnit)) {
                wrong.add(meter.getName() + ": metrics.md says unit "
                        + row.group(2).trim() + ", the code " + expectedUnit);
            }
            String type = row.group(1);
            boolean typeMatches = switch (meter.getType()) {
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
