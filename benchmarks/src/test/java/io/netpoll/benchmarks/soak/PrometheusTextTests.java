package io.netpoll.benchmarks.soak;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PrometheusTextTests {

    private static final String SCRAPE = """
            # HELP jvm_memory_used_bytes The amount of used memory
            # TYPE jvm_memory_used_bytes gauge
            jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 4194304.0
            jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 1.6067072E7
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 3.711976E7
            jvm_buffer_memory_used_bytes{id="mapped - 'non-volatile memory'"} 0.0
            odd_label{path="a \\"quoted\\" \\\\ value, with a comma",x="1"} 5
            netpoll_server_connections_active_connections{server="echo"} 3.0
            netpoll_server_connections_active_connections{server="kv"} 4.0
            jvm_threads_live_threads 26.0
            up_seconds +Inf
            """;

    @Test
    void sumsTheSeriesOfANameWhoseLabelsMatch() {
        PrometheusText p = PrometheusText.parse(SCRAPE);
        assertThat(p.sum("jvm_memory_used_bytes", "area", "heap")).isEqualTo(4194304.0 + 16067072.0);
        assertThat(p.sum("jvm_memory_used_bytes")).isEqualTo(4194304.0 + 16067072.0 + 37119760.0);
        assertThat(p.sum("netpoll_server_connections_active_connections", "server", "kv"))
                .isEqualTo(4.0);
        assertThat(p.sum("jvm_threads_live_threads")).isEqualTo(26.0);
        assertThat(p.sum("up_seconds")).isInfinite();
    }

    @Test
    void aMissingMeterIsNaNNotZero() {
        PrometheusText p = PrometheusText.parse(SCRAPE);
        assertThat(p.sum("no_such_meter")).isNaN();
        assertThat(p.sum("netpoll_server_connections_active_connections", "server", "proxy"))
                .isNaN();
    }

    @Test
    void labelValuesMayHoldEscapesCommasAndBraces() {
        PrometheusText p = PrometheusText.parse(SCRAPE);
        assertThat(p.sum("odd_label", "path", "a \"quoted\" \\ value, with a comma", "x", "1"))
                .isEqualTo(5.0);
        assertThat(p.sum("jvm_buffer_memory_used_bytes", "id", "mapped - 'non-volatile memory'"))
                .isZero();
    }

    @Test
    void aMalformedSampleLineIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("metric{a=\"1\"} twelve"));
        assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("metric{a=\"1} 1"));
        assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("metric"));
    }
}
