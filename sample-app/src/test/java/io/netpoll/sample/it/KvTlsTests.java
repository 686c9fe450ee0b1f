package io.netpoll.sample.it;

import io.netpoll.EventLoop;
import io.netpoll.spring.boot.test.LocalNetpollPort;
import io.netpoll.tls.TlsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code kv-tls} server (the kv handler behind the development-only certificate of
 * application.properties) through Jedis over TLS: commands, pipelining, the store it shares with
 * the plaintext kv server, and a plaintext client on the TLS port that is refused while TLS
 * clients go on being served.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@Timeout(60)
class KvTlsTests {

    @LocalNetpollPort("kv-tls")
    int tlsPort;

    @LocalNetpollPort("kv")
    int plainPort;

    @Autowired
    ApplicationContext context;

    @Test
    void kvTlsRunsOnOpenSslWhichTheSampleShipsWith() {
        // provider=auto, and netty-tcnative-boringssl-static is a runtime dependency of the sample.
        List<TlsConfig> tls = context.getBeansOfType(EventLoop.class).values().stream()
                .map(loop -> loop.config().tls())
                .filter(Objects::nonNull)
                .toList();
        assertThat(tls).hasSize(1);
        assertThat(tls.get(0).prefersDirectBuffers()).isTrue();
        assertThat(tls.get(0).engineFactory().toString()).contains("OpenSSL");
    }

    @Test
    void setAndGetOverTls() {
        try (Jedis jedis = DevTls.jedis(tlsPort, DevTls.anonymous())) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            assertThat(jedis.set("tls:k", "v")).isEqualTo("OK");
            assertThat(jedis.get("tls:k")).isEqualTo("v");
            String big = "x".repeat(100_000); // several TLS records each way
            assertThat(jedis.set("tls:big", big)).isEqualTo("OK");
            assertThat(jedis.get("tls:big")).isEqualTo(big);
            assertThat(jedis.del("tls:k", "tls:big")).isEqualTo(2);
        }
    }

    @Test
    void pipelinedCommandsOverTls() {
        try (Jedis jedis = DevTls.jedis(tlsPort, DevTls.anonymous())) {
            Pipeline pipeline = jedis.pipelined();
            List<Response<String>> sets = new ArrayList<>();
            List<Response<String>> gets = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                sets.add(pipeline.set("tls:p:" + i, "value-" + i));
                gets.add(pipeline.get("tls:p:" + i));
            }
            pipeline.sync();
            for (int i = 0; i < 2_000; i++) {
                assertThat(sets.get(i).get()).isEqualTo("OK");
                assertThat(gets.get(i).get()).isEqualTo("value-" + i);
            }
        }
    }

    @Test
    void theSameStoreAsThePlaintextKvServer() {
        try (Jedis tls = DevTls.jedis(tlsPort, DevTls.anonymous());
                Jedis plain = new Jedis("127.0.0.1", plainPort, 10_000)) {
            assertThat(tls.set("tls:shared", "from tls")).isEqualTo("OK");
            assertThat(plain.get("tls:shared")).isEqualTo("from tls");
            assertThat(plain.del("tls:shared")).isEqualTo(1);
        }
    }

    @Test
    void aPlaintextClientOnTheTlsPortIsClosedAndOthersAreServed() throws Exception {
        try (Jedis jedis = DevTls.jedis(tlsPort, DevTls.anonymous());
                Socket plain = new Socket()) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            plain.connect(new InetSocketAddress("127.0.0.1", tlsPort), 5_000);
            plain.setSoTimeout(20_000);
            plain.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = plain.getInputStream();
            byte[] answer = in.readAllBytes(); // at most a TLS alert, then the end
            assertThat(new String(answer, StandardCharsets.US_ASCII)).doesNotContain("PONG");
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }
}
