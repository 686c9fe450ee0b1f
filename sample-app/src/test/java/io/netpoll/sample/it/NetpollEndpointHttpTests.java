package io.netpoll.sample.it;

import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample over HTTP: {@code /actuator/netpoll/{server}} lists a server's connections, a POST
 * closes one by id (enabled here: {@code netpoll.endpoint.close-connections.enabled=true}), and
 * the per-poller gauges are in the Prometheus scrape.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "netpoll.servers.echo.port=0",
            "netpoll.servers.kv.port=0",
            "netpoll.servers.proxy.port=0",
            "netpoll.endpoint.close-connections.enabled=true"
        })
class NetpollEndpointHttpTests {

    @LocalServerPort
    int httpPort;

    @Autowired
    NetpollServers servers;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final JsonMapper json = JsonMapper.builder().build();

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listsTheConnectionsOfAServerAndClosesOneById() throws Exception {
        try (RawClient kept = new RawClient(SampleServers.port(servers, "kv"));
                RawClient closed = new RawClient(SampleServers.port(servers, "kv"))) {
            assertThat(kept.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
            assertThat(closed.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");

            HttpResponse<String> list = get("/actuator/netpoll/kv?limit=10&sort=age");
            assertThat(list.statusCode()).isEqualTo(200);
            JsonNode view = json.readTree(list.body());
            assertThat(view.at("/server").asString()).isEqualTo("kv");
            assertThat(view.at("/handlerMode").isString()).isTrue();
            assertThat(view.at("/connectionCount").asInt()).isEqualTo(2);
            long id = -1;
            for (JsonNode c : view.get("connections")) {
                assertThat(c.get("bytesIn").asLong()).isEqualTo(6);
                assertThat(c.get("bytesOut").asLong()).isEqualTo(7);
                if (c.get("remoteAddress").asString().equals("127.0.0.1:" + closed.localPort())) {
                    id = c.get("id").asLong();
                }
            }
            assertThat(id).as("the connection to close is listed").isPositive();

            HttpResponse<String> close = post("/actuator/netpoll/kv", "{\"id\":" + id + "}");
            assertThat(close.statusCode()).isEqualTo(200);
            assertThat(json.readTree(close.body()).get("closed").asBoolean()).isTrue();
            assertThat(closed.readToEnd()).isEmpty();
            assertThat(kept.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");

            assertThat(get("/actuator/netpoll/nope").statusCode()).isEqualTo(404);
            assertThat(get("/actuator/netpoll/kv?sort=name").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void perPollerGaugesAreScraped() throws Exception {
        HttpResponse<String> r = get("/actuator/prometheus");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .contains("netpoll_poller_loop_lag_seconds{poller=\"0\"}")
                .contains("netpoll_poller_tasks_pending")
                .contains("poller=\"0\"");
        HttpResponse<String> view = get("/actuator/netpoll");
        assertThat(json.readTree(view.body()).at("/pollers/perPoller/0/index").isNumber())
                .isTrue();
    }
}
