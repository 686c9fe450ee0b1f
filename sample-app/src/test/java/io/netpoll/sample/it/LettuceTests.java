package io.netpoll.sample.it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lettuce, which starts with {@code HELLO 3} (RESP3) and falls back to RESP2 on {@code -NOPROTO},
 * as it does with any Redis that cannot speak RESP3; then sends CLIENT SETINFO.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"netpoll.servers.echo.port=0", "netpoll.servers.kv.port=0", "netpoll.servers.proxy.port=0"})
class LettuceTests {

    @Autowired
    NetpollServers servers;

    @ParameterizedTest
    @ValueSource(strings = {"kv", "proxy"})
    void connectsAndRunsCommands(String server) {
        RedisURI uri = RedisURI.builder()
                .withHost("127.0.0.1")
                .withPort(SampleServers.port(servers, server))
                .withTimeout(Duration.ofSeconds(10))
                .withClientName("lettuce-test")
                .build();
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            assertThat(redis.ping()).isEqualTo("PONG");
            assertThat(redis.clientGetname()).isEqualTo("lettuce-test");
            assertThat(redis.set("lettuce:" + server, "v", SetArgs.Builder.ex(100)))
                    .isEqualTo("OK");
            assertThat(redis.get("lettuce:" + server)).isEqualTo("v");
            assertThat(redis.ttl("lettuce:" + server)).isBetween(99L, 100L);
            assertThat(redis.incrby("lettuce:n:" + server, 5)).isEqualTo(5);
            assertThat(redis.del("lettuce:" + server, "lettuce:n:" + server)).isEqualTo(2);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
    }
}
