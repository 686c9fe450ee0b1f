package io.netpoll.sample.it;

import com.jayway.jsonpath.JsonPath;
import io.netpoll.OnRequest;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * docs/grafana/netpoll-dashboard.json queries only series that the sample's
 * {@code /actuator/prometheus} scrape has: every metric name in every PromQL {@code expr} and
 * variable query, and every label a selector or a {@code by (...)} clause names. Read from the
 * JSON, so it holds whatever the meters are called; a renamed meter shows up here by name.
 * <p>
 * The sample runs with what the dashboard's optional panels need: the request timer, the
 * observations (with histogram buckets), a {@code max-connections} on the kv server, and traffic
 * on every server, including one handler error (a test server whose handler throws), since the
 * errors-by-type counter is registered at the first error of a type.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "netpoll.servers.echo.port=0",
            "netpoll.servers.kv.port=0",
            "netpoll.servers.proxy.port=0",
            "netpoll.servers.kv.max-connections=10000",
            "netpoll.servers.failing.address=127.0.0.1",
            "netpoll.servers.failing.port=0",
            "netpoll.metrics.requests.enabled=true",
            "netpoll.observations.requests.enabled=true",
            "management.metrics.distribution.percentiles-histogram.netpoll.server.handler=true"
        })
class GrafanaDashboardTests {

    static final Path DASHBOARD = Path.of("..", "docs", "grafana", "netpoll-dashboard.json");

    /** Labels Prometheus adds when it scrapes (target labels), not the application. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

    @LocalServerPort
    int httpPort;

    @Autowired
    NetpollServers servers;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TestConfiguration(proxyBeanMethods = false)
    static class FailingServer {

        @Bean
        @NetpollHandler("failing")
        OnRequest<Object> failingHandler() {
            return (context, connection) -> {
                connection.reader().skip(connection.reader().len());
                throw new IllegalStateException("the dashboard's errors panel needs one");
            };
        }
    }

    @Test
    void everySeriesTheDashboardQueriesIsInTheSamplesScrape() throws Exception {
        String json = Files.readString(DASHBOARD);
        List<Query> queries = Query.all(json);
        assertThat(queries).as("queries in %s", DASHBOARD).hasSizeGreaterThan(20);

        traffic();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Scrape scrape = Scrape.parse(scrape());
            List<String> problems = new ArrayList<>();
            for (Query query : queries) {
                for (String metric : query.metrics) {
                    if (!scrape.has(metric)) {
                        problems.add("no series " + metric + " (in " + query.where + ": " + query.promQl + ")");
                    }
                }
                for (Map.Entry<String, String> label : query.selectorLabels) {
                    if (scrape.has(label.getKey())
                            && !scrape.labels(label.getKey()).contains(label.getValue())) {
                        problems.add(
                                "no label " + label.getValue() + " on " + label.getKey() + " (in " + query.where + ")");
                    }
                }
                for (String label : query.groupingLabels) {
                    boolean found = query.metrics.stream()
                            .anyMatch((m) -> scrape.labels(m).contains(label));
                    if (!found) {
                        problems.add("no label " + label + " on any of " + query.metrics + " (in " + query.where + ")");
                    }
                }
            }
            assertThat(problems)
                    .as("dashboard queries that the sample's scrape cannot answer")
                    .isEmpty();
        });
    }

    @Test
    void dashboardIsImportable() throws Exception {
        String json = Files.readString(DASHBOARD);
        List<Integer> ids = JsonPath.read(json, "$.panels[*].id");
        assertThat(ids).doesNotHaveDuplicates();
        assertThat((String) JsonPath.read(json, "$.uid")).isEqualTo("netpoll-java");
        List<Object> targetsWithoutRefId = JsonPath.read(json, "$.panels[*].targets[?(!@.refId)]");
        assertThat(targetsWithoutRefId).isEmpty();
        List<String> datasources = JsonPath.read(json, "$.panels[?(@.type != 'row')].datasource.uid");
        assertThat(datasources).isNotEmpty().containsOnly("${DS_PROMETHEUS}");
    }

    /** The PromQL parser itself: functions, keywords, ranges, strings and labels are not metric names. */
    @Test
    void queryParserFindsMetricNamesAndLabels() {
        Query q = Query.of(
                "test",
                "histogram_quantile(0.99, sum by (server, le) (rate(a_seconds_bucket{server=~\"$server\", "
                        + "name=\"x.y\"}[$__rate_interval]))) / on (server) group_left max without (le) (b_total offset 5m) "
                        + "+ increase(c[1h]) and bool d");
        assertThat(q.metrics).containsExactly("a_seconds_bucket", "b_total", "c", "d");
        assertThat(q.groupingLabels).containsExactly("server", "le");
        assertThat(q.selectorLabels)
                .containsExactly(Map.entry("a_seconds_bucket", "server"), Map.entry("a_seconds_bucket", "name"));
        Query variable = Query.of("variable", "label_values(m_active{instance=~\"$instance\"}, server)");
        assertThat(variable.metrics).containsExactly("m_active");
        assertThat(variable.groupingLabels).containsExactly("server");
    }

    private void traffic() throws Exception {
        try (RawClient kv = new RawClient(SampleServers.port(servers, "kv"))) {
            assertThat(kv.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
        }
        try (RawClient proxy = new RawClient(SampleServers.port(servers, "proxy"))) {
            assertThat(proxy.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
        }
        try (RawClient echo = new RawClient(SampleServers.port(servers, "echo"))) {
            assertThat(echo.send("hello").read(5)).isEqualTo("hello");
        }
        try (RawClient failing = new RawClient(SampleServers.port(servers, "failing"))) {
            failing.send("x");
            assertThat(failing.readToEnd())
                    .as("the handler threw: the connection closes")
                    .isEmpty();
        }
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** One PromQL expression of the dashboard, with the metric names and labels it uses. */
    static final class Query {

        private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
        private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
        private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");
        private static final Pattern GROUPING =
                Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
        private static final Pattern LABEL_VALUES =
                Pattern.compile("label_values\\s*\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");
        private static final Pattern IDENTIFIER =
                Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?!\\w)(\\s*\\()?");
        private static final Set<String> KEYWORDS = Set.of(
                "by",
                "without",
                "on",
                "ignoring",
                "group_left",
                "group_right",
                "bool",
                "and",
                "or",
                "unless",
                "offset",
                "inf",
                "nan");

        final String where;
        final String promQl;
        final Set<String> metrics = new LinkedHashSet<>();
        final Set<Map.Entry<String, String>> selectorLabels = new LinkedHashSet<>();
        final Set<String> groupingLabels = new LinkedHashSet<>();

        private Query(String where, String promQl) {
            this.where = where;
            this.promQl = promQl;
        }

        static List<Query> all(String dashboardJson) {
            List<Query> queries = new ArrayList<>();
            List<String> exprs = JsonPath.read(dashboardJson, "$..targets[*].expr");
            for (String expr : exprs) {
                queries.add(of("panel target", expr));
            }
            List<String> variables = JsonPath.read(dashboardJson, "$.templating.list[?(@.type == 'query')].definition");
            for (String variable : variables) {
                queries.add(of("variable", variable));
            }
            return queries;
        }

        static Query of(String where, String promQl) {
            Query query = new Query(where, promQl);
            String expr = promQl;
            Matcher labelValues = LABEL_VALUES.matcher(expr);
            if (labelValues.matches()) {
                // Grafana's label_values(selector, label): the label must be on the selector's metric.
                if (!TARGET_LABELS.contains(labelValues.group(2))) {
                    query.groupingLabels.add(labelValues.group(2));
                }
                expr = labelValues.group(1);
            }
            Matcher selector = SELECTOR.matcher(expr);
            while (selector.find()) {
                Matcher label =
                        MATCHER_LABEL.matcher(STRING.matcher(selector.group(2)).replaceAll("\"\""));
                while (label.find()) {
                    if (!TARGET_LABELS.contains(label.group(1))) {
                        query.selectorLabels.add(Map.entry(selector.group(1), label.group(1)));
                    }
                }
            }
            Matcher grouping = GROUPING.matcher(expr);
            while (grouping.find()) {
                for (String label : grouping.group(1).split(",")) {
                    String name = label.trim();
                    if (!name.isEmpty() && !TARGET_LABELS.contains(name)) {
                        query.groupingLabels.add(name);
                    }
                }
            }
            // What remains after strings, label matchers, range/offset durations and grouping
            // clauses: metric names, function names (followed by '('), keywords and numbers.
            String stripped = STRING.matcher(expr).replaceAll(" ");
            stripped = stripped.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^\\]]*]", " ");
            stripped = GROUPING.matcher(stripped).replaceAll(" ");
            stripped = stripped.replaceAll("\\boffset\\s+\\S+", " ");
            Matcher identifier = IDENTIFIER.matcher(stripped);
            while (identifier.find()) {
                String name = identifier.group(1);
                boolean function = identifier.group(2) != null;
                if (!function && !KEYWORDS.contains(name.toLowerCase())) {
                    query.metrics.add(name);
                }
            }
            return query;
        }
    }

    /** The series of one Prometheus text-format scrape: names, label names per name, family types. */
    static final class Scrape {

        private static final Pattern TYPE = Pattern.compile("# TYPE (\\S+) (\\S+)");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

        private final Map<String, Set<String>> labelsBySeries = new HashMap<>();
        private final Map<String, String> familyTypes = new HashMap<>();

        static Scrape parse(String text) {
            Scrape scrape = new Scrape();
            for (String line : text.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                if (line.startsWith("#")) {
                    Matcher type = TYPE.matcher(line);
                    if (type.lookingAt()) {
                        scrape.familyTypes.put(type.group(1), type.group(2));
                    }
                    continue;
                }
                int end = 0;
                while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                    end++;
                }
                Set<String> labels =
                        scrape.labelsBySeries.computeIfAbsent(line.substring(0, end), (k) -> new TreeSet<>());
                if (end < line.length() && line.charAt(end) == '{') {
                    Matcher label = LABEL.matcher(line.substring(end, line.indexOf('}', end) + 1));
                    while (label.find()) {
                        labels.add(label.group(1));
                    }
                }
            }
            return scrape;
        }

        /**
         * Whether the scrape has series of this name: as is, or as the sample of a family of a
         * type that has it ({@code _bucket} of a histogram; {@code _count}/{@code _sum} of a
         * histogram or summary; {@code _total} of a counter), should the exposition name the
         * family without the suffix.
         */
        boolean has(String metric) {
            if (labelsBySeries.containsKey(metric)) {
                return true;
            }
            String family = family(metric);
            if (family == null) {
                return false;
            }
            String type = familyTypes.get(family);
            return labelsBySeries.keySet().stream().anyMatch((series) -> series.startsWith(family))
                    && type != null
                    && switch (metric.substring(family.length())) {
                        case "_bucket" -> type.equals("histogram");
                        case "_count", "_sum" -> type.equals("histogram") || type.equals("summary");
                        case "_total" -> type.equals("counter");
                        default -> false;
                    };
        }

        Set<String> labels(String metric) {
            Set<String> labels = labelsBySeries.get(metric);
            if (labels != null) {
                return labels;
            }
            String family = family(metric);
            return family == null ? Set.of() : labelsBySeries.getOrDefault(family, Set.of());
        }

        private static String family(String metric) {
            for (String suffix : List.of("_bucket", "_count", "_sum", "_total")) {
                if (metric.endsWith(suffix)) {
                    return metric.substring(0, metric.length() - suffix.length());
                }
            }
            return null;
        }
    }
}
