package io.netpoll.bench;

import io.netpoll.EventLoop;
import io.netpoll.HandlerMode;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.tls.TlsConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The echo server's TLS material: keys made by openssl as the harness makes them (RSA 2048 and
 * EC P-256, PKCS#8), loaded with the JDK only, served by the echo handler in every mode, on
 * 127.0.0.1. openssl must be installed (.ci/run installs it).
 */
class PemTlsTests {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"rsa:2048,ADAPTIVE", "rsa:2048,INLINE", "rsa:2048,WORKER", "ec,ADAPTIVE"})
    void servesTlsWithKeysOpensslMade(String keyType, HandlerMode mode) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        String[] newkey = keyType.equals("ec")
                ? new String[] {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"}
                : new String[] {"-newkey", keyType};
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("openssl", "req", "-x509"));
        cmd.addAll(java.util.List.of(newkey));
        cmd.addAll(java.util.List.of(
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "30", "-subj", "/CN=localhost"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();

        PollerGroup group = PollerGroup.create(1);
        try (Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0")) {
            EventLoop loop = Netpoll.newEventLoop(
                    EchoServer::echo,
                    Option.pollerGroup(group),
                    Option.handlerMode(mode),
                    Option.tls(TlsConfig.server(PemTls.serverContext(cert, key)).build()));
            loop.serveAsync(listener);
            try (SSLSocket s = (SSLSocket) trusting(cert).getSocketFactory().createSocket()) {
                s.connect(new InetSocketAddress("127.0.0.1", listener.port()), 5_000);
                s.setSoTimeout(20_000);
                s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                assertThat(new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII))
                        .isEqualTo("ping");
            } finally {
                loop.shutdown(Duration.ofSeconds(2));
            }
        } finally {
            group.close();
        }
    }

    @org.junit.jupiter.api.Test
    void aPkcs1KeySaysHowToConvertIt() throws Exception {
        Path key = dir.resolve("rsa1.pem");
        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemTls.privateKey(Files.readString(key), key))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("openssl pkcs8 -topk8");
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (var in = Files.newInputStream(cert)) {
            ts.setCertificateEntry(
                    "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
