package io.netpoll.sample.it;

import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The kv server with {@code sample.kv.inline-handlers=true}: handlers on the pollers. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "netpoll.servers.echo.port=0",
            "netpoll.servers.kv.port=0",
            "netpoll.servers.proxy.port=0",
            "sample.kv.inline-handlers=true"
        })
class KvInlineModeTests {

    @Autowired
    NetpollServers servers;

    @Test
    void commandsPipelinesAndBadInput() throws Exception {
        int kv = SampleServers.port(servers, "kv");
        try (Jedis jedis = new Jedis("127.0.0.1", kv, 10_000)) {
            assertThat(jedis.set("inline:k", "v")).isEqualTo("OK");
            assertThat(jedis.get("inline:k")).isEqualTo("v");
            byte[] big = new byte[512 * 1024];
            assertThat(jedis.set("inline:big".getBytes(), big)).isEqualTo("OK");
            assertThat(jedis.get("inline:big".getBytes())).isEqualTo(big);
            Pipeline p = jedis.pipelined();
            List<Response<Long>> replies = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                replies.add(p.incr("inline:n"));
            }
            p.sync();
            assertThat(replies.get(9_999).get()).isEqualTo(10_000);
        }
        try (RawClient bad = new RawClient(kv)) {
            assertThat(bad.send("*1\r\n$x\r\n").readToEnd()).isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
        }
        try (RawClient proxied = new RawClient(SampleServers.port(servers, "proxy"))) {
            assertThat(proxied.send("GET inline:k\r\n").read(7)).isEqualTo("$1\r\nv\r\n");
        }
    }
}
