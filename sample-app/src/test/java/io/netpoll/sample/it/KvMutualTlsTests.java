package io.netpoll.sample.it;

import io.netpoll.spring.boot.test.LocalNetpollPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.net.SocketException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code kv-tls} with {@code ssl.client-auth=need}: a client with a certificate the development
 * CA signed is served; one without a certificate, or with one nobody trusts, fails on the client
 * with a TLS error (not a hang), and the server goes on serving the trusted client meanwhile.
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

    @Test
    void aClientWithoutACertificateIsRefusedAndOthersAreServed() {
        assertRefusedWhileTheTrustedClientIsServed(DevTls.anonymous());
    }

    @Test
    void aClientWithAnUntrustedCertificateIsRefusedAndOthersAreServed() {
        assertRefusedWhileTheTrustedClientIsServed(DevTls.stranger());
    }

    @Test
    void overTls12TheRefusalIsAHandshakeFailureAtConnect() {
        try (Jedis trusted = DevTls.jedis(port, DevTls.trustedClient(), "TLSv1.2")) {
            assertThat(trusted.ping()).isEqualTo("PONG");
            for (SSLContext refused : new SSLContext[] {DevTls.anonymous(), DevTls.stranger()}) {
                // TLS 1.2: the server's verdict comes before its Finished, so the client's
                // handshake itself fails.
                assertThatExceptionOfType(JedisConnectionException.class)
                        .isThrownBy(() -> {
                            try (Jedis jedis = DevTls.jedis(port, refused, "TLSv1.2")) {
                                jedis.ping();
                            }
                        })
                        .withCauseInstanceOf(SSLHandshakeException.class);
                assertThat(trusted.ping()).isEqualTo("PONG");
            }
        }
    }

    private void assertRefusedWhileTheTrustedClientIsServed(SSLContext refused) {
        try (Jedis trusted = DevTls.jedis(port, DevTls.trustedClient())) {
            assertThat(trusted.ping()).isEqualTo("PONG");
            for (int i = 0; i < 3; i++) {
                // TLS 1.3: the client finishes its side of the handshake before the server's
                // verdict, so the refusal surfaces at the first command: the server's alert, or
                // the connection it closed (reset, broken pipe) when the command crossed it.
                assertThatExceptionOfType(JedisConnectionException.class)
                        .isThrownBy(() -> {
                            try (Jedis jedis = DevTls.jedis(port, refused)) {
                                jedis.ping();
                            }
                        })
                        .satisfies(e ->
                                assertThat(e.getCause()).isInstanceOfAny(SSLException.class, SocketException.class));
                assertThat(trusted.ping()).isEqualTo("PONG");
            }
        }
    }
}
