package io.netpoll.sample.it;

import io.netpoll.spring.boot.test.LocalNetpollPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code kv-tls} with {@code ssl.client-auth=need}: a client with a certificate the development
 * CA signed is served; one without a certificate, or with one nobody trusts, fails on the client
 * with the server's TLS alert (not a hang, not a reset), and the server goes on serving the
 * trusted client meanwhile.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "netpoll.servers.kv-tls.ssl.client-auth=need")
@Timeout(60)
class KvMutualTlsTests {

    @LocalNetpollPort("kv-tls")
    int port;

    @Test
    void aClientWithTheRightCertificateIsServed() {
        try (Jedis jedis = DevTls.jedis(port, DevTls.trustedClient())) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            assertThat(jedis.set("mtls:k", "v")).isEqualTo("OK");
            assertThat(jedis.get("mtls:k")).isEqualTo("v");
            assertThat(jedis.del("mtls:k")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aClientWithoutACertificateIsRefusedAndOthersAreServed(String protocol) {
        assertRefusedWhileTheTrustedClientIsServed(DevTls.anonymous(), protocol);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aClientWithAnUntrustedCertificateIsRefusedAndOthersAreServed(String protocol) {
        assertRefusedWhileTheTrustedClientIsServed(DevTls.stranger(), protocol);
    }

    private void assertRefusedWhileTheTrustedClientIsServed(SSLContext refused, String protocol) {
        try (Jedis trusted = DevTls.jedis(port, DevTls.trustedClient(), protocol)) {
            assertThat(trusted.ping()).isEqualTo("PONG");
            for (int i = 0; i < 10; i++) {
                // The client's handshake runs in its first write. With TLS 1.3 the client is done
                // with it before the server's verdict, which then comes at the first command;
                // with TLS 1.2 the verdict ends the handshake. Either way the client fails at
                // once with the server's alert, never a reset or broken pipe: the server sends
                // FIN after the alert and reads what the client still sends before it closes.
                assertThatExceptionOfType(JedisConnectionException.class)
                        .isThrownBy(() -> {
                            try (Jedis jedis = DevTls.jedis(port, refused, protocol)) {
                                jedis.ping();
                            }
                        })
                        .satisfies(e -> assertThat(e.getCause())
                                .isInstanceOf(SSLHandshakeException.class)
                                .hasMessageMatching(".*Received fatal alert: (bad_certificate|certificate_required"
                                        + "|certificate_unknown|handshake_failure)"));
                assertThat(trusted.ping()).isEqualTo("PONG");
            }
        }
    }
}
