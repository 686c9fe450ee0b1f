package io.netpoll.sample.it;

import io.netpoll.spring.server.NetpollServers;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every kv command through Jedis, a Redis client library nobody here wrote. Run against the kv
 * server directly and through the proxy (subclasses).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"netpoll.servers.echo.port=0", "netpoll.servers.kv.port=0", "netpoll.servers.proxy.port=0"})
abstract class AbstractRedisClientTests {

    @Autowired
    NetpollServers servers;

    private Jedis jedis;

    /** The port to talk to: kv or proxy. */
    abstract int port();

    Jedis connect() {
        return new Jedis("127.0.0.1", port(), 10_000);
    }

    @BeforeEach
    void open() {
        jedis = connect();
        assertThat(jedis.flushDB()).isEqualTo("OK");
    }

    @AfterEach
    void close() {
        jedis.close();
    }

    @Test
    void pingEchoAndConnectionCommands() {
        assertThat(jedis.ping()).isEqualTo("PONG");
        assertThat(jedis.ping("hi")).isEqualTo("hi");
        assertThat(jedis.echo("hello")).isEqualTo("hello");
        assertThat(jedis.clientSetname("me")).isEqualTo("OK");
        assertThat(jedis.clientGetname()).isEqualTo("me");
        assertThat(jedis.select(0)).isEqualTo("OK");
        assertThat(jedis.configGet("save")).containsEntry("save", "");
    }

    @Test
    void strings() {
        assertThat(jedis.get("k")).isNull();
        assertThat(jedis.set("k", "v")).isEqualTo("OK");
        assertThat(jedis.get("k")).isEqualTo("v");
        assertThat(jedis.set("k", "w", SetParams.setParams().nx())).isNull();
        assertThat(jedis.set("k", "w", SetParams.setParams().xx())).isEqualTo("OK");
        assertThat(jedis.set("n", "w", SetParams.setParams().xx())).isNull();
        assertThat(jedis.setGet("k", "x")).isEqualTo("w");
        assertThat(jedis.append("k", "yz")).isEqualTo(3);
        assertThat(jedis.strlen("k")).isEqualTo(3);
        assertThat(jedis.strlen("none")).isZero();
        assertThat(jedis.mset("a", "1", "b", "2")).isEqualTo("OK");
        assertThat(jedis.mget("a", "none", "b")).containsExactly("1", null, "2");
        assertThat(jedis.exists("a", "b", "none")).isEqualTo(2);
        assertThat(jedis.exists("a")).isTrue();
        assertThat(jedis.del("a", "none")).isEqualTo(1);
        assertThat(jedis.dbSize()).isEqualTo(2);
        assertThat(jedis.flushAll()).isEqualTo("OK");
        assertThat(jedis.dbSize()).isZero();
    }

    @Test
    void counters() {
        assertThat(jedis.incr("n")).isEqualTo(1);
        assertThat(jedis.incrBy("n", 10)).isEqualTo(11);
        assertThat(jedis.decr("n")).isEqualTo(10);
        assertThat(jedis.decrBy("n", 20)).isEqualTo(-10);
        jedis.set("s", "abc");
        assertThatThrownBy(() -> jedis.incr("s"))
                .isInstanceOf(JedisDataException.class)
                .hasMessage("ERR value is not an integer or out of range");
        jedis.set("max", Long.toString(Long.MAX_VALUE));
        assertThatThrownBy(() -> jedis.incr("max"))
                .isInstanceOf(JedisDataException.class)
                .hasMessage("ERR increment or decrement would overflow");
        assertThat(jedis.ping()).isEqualTo("PONG"); // errors do not break the connection
    }

    @Test
    void expiry() {
        jedis.set("k", "v", SetParams.setParams().ex(100));
        assertThat(jedis.ttl("k")).isBetween(99L, 100L);
        assertThat(jedis.pttl("k")).isBetween(98_000L, 100_000L);
        assertThat(jedis.persist("k")).isEqualTo(1);
        assertThat(jedis.ttl("k")).isEqualTo(-1);
        assertThat(jedis.expire("k", 50)).isEqualTo(1);
        assertThat(jedis.ttl("k")).isBetween(49L, 50L);
        assertThat(jedis.ttl("none")).isEqualTo(-2);
        assertThat(jedis.pexpire("k", 150)).isEqualTo(1);
        jedis.set("p", "v", SetParams.setParams().px(150));
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> jedis.get("k") == null && jedis.exists("p") == false);
        assertThat(jedis.ttl("k")).isEqualTo(-2);
        assertThat(jedis.dbSize()).isZero();
    }

    @Test
    void binaryKeysAndValues() {
        byte[] key = "key\r\n\0end".getBytes(StandardCharsets.ISO_8859_1);
        byte[] value = "\r\n\0*1\r\n$3\r\nxyz\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(jedis.set(key, value)).isEqualTo("OK");
        assertThat(jedis.get(key)).isEqualTo(value);
        assertThat(jedis.set("empty".getBytes(), new byte[0])).isEqualTo("OK");
        assertThat(jedis.get("empty".getBytes())).isEmpty();
        byte[] big = new byte[512 * 1024];
        new Random(7).nextBytes(big);
        assertThat(jedis.set("big".getBytes(), big)).isEqualTo("OK");
        assertThat(jedis.get("big".getBytes())).isEqualTo(big);
        assertThat(jedis.strlen("big")).isEqualTo(big.length);
    }

    @Test
    void pipelineOfTenThousandCommands() {
        Pipeline p = jedis.pipelined();
        List<Response<Long>> incrs = new ArrayList<>();
        List<Response<String>> gets = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            incrs.add(p.incr("counter"));
            gets.add(p.get("counter"));
        }
        p.sync();
        for (int i = 0; i < 5_000; i++) {
            assertThat(incrs.get(i).get()).isEqualTo(i + 1);
            assertThat(gets.get(i).get()).isEqualTo(Integer.toString(i + 1));
        }
    }

    @Test
    void concurrentClients() throws Exception {
        int clients = 8;
        int increments = 1_000;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                tasks.add(() -> {
                    try (Jedis j = connect()) {
                        for (int i = 0; i < increments; i++) {
                            j.incr("shared");
                            j.append("log" + id, "x");
                        }
                        j.set("own" + id, "done" + id);
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(jedis.get("shared")).isEqualTo(Integer.toString(clients * increments));
        for (int c = 0; c < clients; c++) {
            assertThat(jedis.strlen("log" + c)).isEqualTo(increments);
            assertThat(jedis.get("own" + c)).isEqualTo("done" + c);
        }
    }
}
