package io.netpoll.sample.it;

import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Actuator over HTTP: health with the netpoll servers, the netpoll endpoint, metrics, Prometheus, info. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"netpoll.servers.echo.port=0", "netpoll.servers.kv.port=0", "netpoll.servers.proxy.port=0"})
class ActuatorTests {

    @LocalServerPort
    int httpPort;

    @Autowired
    NetpollServers servers;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsUpWithTheNetpollServers() throws Exception {
        HttpResponse<String> r = get("/actuator/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .startsWith("{")
                .contains("\"netpoll\":{\"components\":{")
                .contains("\"kv\":{\"details\":{\"state\":\"SERVING\"")
                .contains("\"echo\":{")
                .contains("\"proxy\":{")
                .endsWith("\"status\":\"UP\"}");
    }

    @Test
    void prometheusHasTheNetpollSeries() throws Exception {
        try (RawClient c = new RawClient(SampleServers.port(servers, "kv"))) {
            assertThat(c.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
        }
        HttpResponse<String> r = get("/actuator/prometheus");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .contains("netpoll_server_connections_accepted_total{")
                .contains("server=\"kv\"")
                .contains("netpoll_server_data_received_bytes_total{")
                .contains("netpoll_poller_count");
    }

    @Test
    void netpollEndpointShowsServersPollersWorkersAndBuffers() throws Exception {
        try (RawClient c = new RawClient(SampleServers.port(servers, "kv"))) {
            assertThat(c.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
        }
        HttpResponse<String> r = get("/actuator/netpoll");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .startsWith("{\"servers\":{")
                .contains("\"kv\":{\"state\":\"SERVING\"")
                .contains("\"echo\":{")
                .contains("\"proxy\":{")
                .contains("\"port\":" + SampleServers.port(servers, "kv") + ",")
                .contains("\"pollers\":{\"configured\":")
                .contains("\"workers\":{\"poolSize\":")
                .contains("\"buffers\":{\"usedBytes\":")
                .contains("\"sizeClasses\":[{\"nodeSize\":64,");
    }

    @Test
    void metricsAndInfo() throws Exception {
        HttpResponse<String> metrics = get("/actuator/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("\"netpoll.server.connections.active\"");
        HttpResponse<String> one = get("/actuator/metrics/netpoll.server.connections.accepted?tag=server:kv");
        assertThat(one.statusCode()).isEqualTo(200);
        HttpResponse<String> info = get("/actuator/info");
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(info.body()).contains("netpoll-java sample");
    }
}
