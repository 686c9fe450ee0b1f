package io.netpoll.sample.it;

import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import redis.clients.jedis.Jedis;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values larger than a connection's input buffer limit ({@code max-input-buffer}, 1 MB here,
 * 64 MB by default): the parser takes a large argument as it arrives, so it never needs the
 * whole of it buffered.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "netpoll.servers.echo.port=0",
            "netpoll.servers.kv.port=0",
            "netpoll.servers.proxy.port=0",
            "netpoll.servers.kv.connection.max-input-buffer=1MB",
            "netpoll.servers.proxy.connection.max-input-buffer=1MB"
        })
class KvLargeValueTests {

    @Autowired
    NetpollServers servers;

    @ParameterizedTest
    @ValueSource(strings = {"kv", "proxy"})
    void fiveMegabyteValues(String server) {
        byte[] value = new byte[5 * 1024 * 1024];
        new Random(11).nextBytes(value);
        try (Jedis jedis = new Jedis("127.0.0.1", SampleServers.port(servers, server), 30_000)) {
            byte[] key = ("large:" + server).getBytes();
            assertThat(jedis.set(key, value)).isEqualTo("OK");
            assertThat(jedis.strlen(key)).isEqualTo(value.length);
            assertThat(jedis.append(key, new byte[] {1, 2, 3})).isEqualTo(value.length + 3);
            byte[] back = jedis.get(key);
            assertThat(back).hasSize(value.length + 3);
            assertThat(java.util.Arrays.copyOf(back, value.length)).isEqualTo(value);
        }
    }
}
