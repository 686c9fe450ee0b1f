package io.netpoll.tls;

import io.netpoll.testing.TestTls;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsConfigTests {

    private static final SSLContext SERVER = TestTls.serverContext("localhost");

    @Test
    void serverDefaults() {
        TlsConfig c = TlsConfig.server(SERVER).build();
        assertThat(c.mode()).isEqualTo(TlsConfig.Mode.SERVER);
        assertThat(c.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(c.cipherSuites()).isEmpty();
        assertThat(c.applicationProtocols()).isEmpty();
        assertThat(c.clientAuth()).isEqualTo(ClientAuth.NONE);
        assertThat(c.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        SSLEngine e = c.newEngine(null, 0);
        assertThat(e.getUseClientMode()).isFalse();
        assertThat(e.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(e.getNeedClientAuth()).isFalse();
        assertThat(e.getWantClientAuth()).isFalse();
    }

    @Test
    void clientDefaultsVerifyTheHostName() {
        TlsConfig c = TlsConfig.client(TestTls.clientContext()).build();
        assertThat(c.hostnameVerification()).isTrue();
        SSLEngine e = c.newEngine("db.example.com", 6390);
        assertThat(e.getUseClientMode()).isTrue();
        assertThat(e.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(e.getPeerHost()).isEqualTo("db.example.com");
        TlsConfig off = TlsConfig.client(TestTls.clientContext())
                .hostnameVerification(false)
                .build();
        assertThat(off.newEngine("db.example.com", 6390).getSSLParameters().getEndpointIdentificationAlgorithm())
                .isNull();
    }

    @Test
    void settingsReachTheEngine() {
        TlsConfig s = TlsConfig.server(SERVER)
                .protocols("TLSv1.3")
                .cipherSuites("TLS_AES_128_GCM_SHA256")
                .applicationProtocols("h2", "http/1.1")
                .clientAuth(ClientAuth.WANT)
                .handshakeTimeout(Duration.ofSeconds(3))
                .build();
        SSLEngine e = s.newEngine(null, 0);
        assertThat(e.getEnabledProtocols()).containsExactly("TLSv1.3");
        assertThat(e.getEnabledCipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256");
        assertThat(e.getSSLParameters().getApplicationProtocols()).containsExactly("h2", "http/1.1");
        assertThat(e.getWantClientAuth()).isTrue();
        assertThat(e.getNeedClientAuth()).isFalse();
        assertThat(s.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(TlsConfig.server(SERVER)
                        .clientAuth(ClientAuth.NEED)
                        .build()
                        .newEngine(null, 0)
                        .getNeedClientAuth())
                .isTrue();

        TlsConfig c = TlsConfig.client(TestTls.clientContext())
                .serverName("kv.example.com")
                .build();
        SSLEngine ce = c.newEngine("10.0.0.1", 6390);
        // The configured name is both what SNI sends and what the certificate must match.
        assertThat(ce.getPeerHost()).isEqualTo("kv.example.com");
        assertThat(ce.getSSLParameters().getServerNames()).containsExactly(new SNIHostName("kv.example.com"));
    }

    @Test
    void theContextSupplierIsReadForEachEngine() {
        AtomicInteger reads = new AtomicInteger();
        TlsConfig c = TlsConfig.server(() -> {
                    reads.incrementAndGet();
                    return SERVER;
                })
                .build();
        assertThat(reads).hasValue(0); // building does not read it
        c.newEngine(null, 0);
        c.newEngine(null, 0);
        assertThat(reads).hasValue(2);
        assertThatThrownBy(() -> TlsConfig.server(() -> null).build().newEngine(null, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned null");
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> TlsConfig.server(SERVER).protocols()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsConfig.server(SERVER).protocols("TLSv1.3", null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> TlsConfig.server(SERVER).handshakeTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsConfig.client(SERVER).serverName("bad name!"))
                .isInstanceOf(IllegalArgumentException.class);
        // Names the provider does not know fail when an engine is made, with the name in the message.
        assertThatThrownBy(() ->
                        TlsConfig.server(SERVER).protocols("TLSv9").build().newEngine(null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TLSv9");
        assertThatThrownBy(() -> TlsConfig.server(SERVER)
                        .cipherSuites("TLS_NOPE")
                        .build()
                        .newEngine(null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TLS_NOPE");
    }

    @Test
    void describesItself() {
        assertThat(TlsConfig.client(SERVER).applicationProtocols("h2").build().toString())
                .contains("CLIENT", "alpn=[h2]", "hostnameVerification=true");
        assertThat(List.of(ClientAuth.values())).containsExactly(ClientAuth.NONE, ClientAuth.WANT, ClientAuth.NEED);
    }
}
