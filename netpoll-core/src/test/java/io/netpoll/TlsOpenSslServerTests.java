package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.TlsConfig;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code openssl s_client} against an {@link EventLoop} serving TLS (TLS 1.3 and 1.2, ALPN, the
 * chain verified against the test CA), on 127.0.0.1. openssl must be installed ({@code .ci/run}
 * installs it); a missing openssl fails these tests rather than skipping them.
 */
class TlsOpenSslServerTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"TLSv1.3,ADAPTIVE", "TLSv1.2,ADAPTIVE", "TLSv1.3,INLINE", "TLSv1.3,WORKER"})
    void opensslClientGetsAnEchoFromAnEventLoop(String protocol, HandlerMode mode) throws Exception {
        Path ca = TestTls.copyTo(dir, "ca.pem");
        java.util.concurrent.atomic.AtomicReference<io.netpoll.tls.TlsSessionInfo> info =
                new java.util.concurrent.atomic.AtomicReference<>();
        Server server = net.startServer(
                TestNet::echo,
                Option.handlerMode(mode),
                Option.onConnect((ctx, c) -> {
                    info.set(c.tlsSession());
                    return ctx;
                }),
                Option.tls(TlsConfig.server(TestTls.serverContext("localhost"))
                        .applicationProtocols("h2", "http/1.1")
                        .build()));
        Path out = dir.resolve("s_client.out");
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "s_client",
                        "-connect",
                        "127.0.0.1:" + server.port(),
                        "-servername",
                        "localhost",
                        "-CAfile",
                        ca.toString(),
                        "-verify_return_error",
                        "-alpn",
                        "http/1.1,h2",
                        protocol.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2",
                        "-quiet",
                        "-no_ign_eof")
                .redirectErrorStream(false)
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve("s_client.err").toFile())
                .start();
        try {
            openssl.getOutputStream().write("ping over openssl\n".getBytes(StandardCharsets.US_ASCII));
            openssl.getOutputStream().flush();
            // The echo arrives, then s_client sees the stdin EOF and closes (close_notify).
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(30))
                    .until(() ->
                            Files.readString(out, StandardCharsets.ISO_8859_1).contains("ping over openssl"));
            openssl.getOutputStream().close();
            assertThat(openssl.waitFor(30, TimeUnit.SECONDS))
                    .as("openssl exited")
                    .isTrue();
            assertThat(openssl.exitValue())
                    .as("s_client: %s", Files.readString(dir.resolve("s_client.err")))
                    .isZero();
            assertThat(server.loop().stats().tls().handshakes()).isEqualTo(1);
            assertThat(info.get().protocol()).isEqualTo(protocol);
            assertThat(info.get().applicationProtocol()).isEqualTo("h2"); // our preference among what it offered
            assertThat(info.get().serverName()).isEqualTo("localhost");
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> server.loop().stats().connectionsActive() == 0);
        } finally {
            openssl.destroyForcibly();
            openssl.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void opensslClientWithoutACertificateReadsTheRefusalAlert(String protocol) throws Exception {
        // The graceful close after an alert (FIN, then the client's line drained) seen by OpenSSL.
        // (s_client did not hit the reset race here even without it, unlike the JDK client of
        // TlsRefusalAlertTests: this is the interop check, that one the regression test.)
        Path ca = TestTls.copyTo(dir, "ca.pem");
        Server server = net.startServer(
                TestNet::echo,
                Option.tls(TlsConfig.server(TestTls.serverContext("localhost"))
                        .clientAuth(io.netpoll.tls.ClientAuth.NEED)
                        .build()));
        for (int i = 0; i < 5; i++) {
            Path err = dir.resolve("s_client-" + i + ".err");
            Process openssl = new ProcessBuilder(
                            "openssl",
                            "s_client",
                            "-connect",
                            "127.0.0.1:" + server.port(),
                            "-servername",
                            "localhost",
                            "-CAfile",
                            ca.toString(),
                            protocol.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2",
                            "-quiet",
                            "-no_ign_eof")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile())
                    .start();
            try {
                try {
                    openssl.getOutputStream().write("refused?\n".getBytes(StandardCharsets.US_ASCII));
                    openssl.getOutputStream().flush();
                } catch (IOException e) {
                    // Our pipe to s_client, not the TLS connection: it may have read the alert
                    // and exited before we wrote (what it said is checked below).
                }
                assertThat(openssl.waitFor(30, TimeUnit.SECONDS))
                        .as("openssl exited")
                        .isTrue();
                String said = Files.readString(err, StandardCharsets.ISO_8859_1);
                assertThat(said)
                        .as("round %d: s_client said %s", i, said)
                        .containsPattern("alert (bad certificate|certificate required|handshake failure)")
                        .doesNotContainIgnoringCase("reset")
                        .doesNotContainIgnoringCase("broken pipe");
                assertThat(openssl.exitValue()).isNotZero();
            } finally {
                openssl.destroyForcibly();
                openssl.waitFor(30, TimeUnit.SECONDS);
            }
        }
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> server.loop().stats().tls().handshakeFailures() == 5);
    }
}
