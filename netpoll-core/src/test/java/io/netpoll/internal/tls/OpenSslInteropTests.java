package io.netpoll.internal.tls;

import io.netpoll.buffer.BufferPool;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.TlsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TlsSession} against OpenSSL: our server with {@code openssl s_client}, our client with
 * {@code openssl s_server -www}, TLS 1.2 and 1.3, ALPN, on 127.0.0.1. openssl must be installed
 * ({@code .ci/run} installs it); a missing openssl fails these tests rather than skipping them.
 */
class OpenSslInteropTests {

    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void opensslClientTalksToOurServer(String protocol) throws Exception {
        Path ca = TestTls.copyTo(dir, "ca.pem");
        TlsConfig config = TlsConfig.server(TestTls.serverContext("localhost"))
                .protocols(protocol)
                .applicationProtocols("h2", "http/1.1")
                .build();
        Path out = dir.resolve("s_client.out");
        ExecutorService tasks = Executors.newSingleThreadExecutor();
        Process openssl = null;
        try (ServerSocketChannel listener = ServerSocketChannel.open();
                Selector selector = Selector.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            openssl = new ProcessBuilder(
                            "openssl",
                            "s_client",
                            "-connect",
                            "127.0.0.1:" + port,
                            "-CAfile",
                            ca.toString(),
                            "-verify_return_error",
                            "-alpn",
                            "http/1.1,h2",
                            protocol.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2",
                            "-ign_eof")
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            openssl.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            openssl.getOutputStream().close();

            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            SocketChannel ch = acceptWithin(listener, selector);
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            try (TlsPeer server = new TlsPeer(
                    "server",
                    ch,
                    config.newEngine(null, 0),
                    config,
                    BufferPool.defaultPool(),
                    CipherBlocks.shared(),
                    tasks,
                    selector,
                    false,
                    false)) {
                TlsPair.drive(selector, () -> server.input.indexOf((byte) '\n') >= 0 || server.failure != null, server);
                assertThat(server.failure).isNull();
                assertThat(server.input.readString(server.input.len())).isEqualTo("ping\n");
                server.input.release();
                assertThat(server.session.info().protocol()).isEqualTo(protocol);
                // Our preference among what openssl offered.
                assertThat(server.session.info().applicationProtocol()).isEqualTo("h2");

                server.output.writeString("pong\n");
                server.output.flush();
                TlsPair.drive(selector, () -> server.output.len() == 0 || server.failure != null, server);
                assertThat(server.session.closeOutbound()).isTrue();
            }
            assertThat(openssl.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .as("openssl exited")
                    .isTrue();
            String printed = Files.readString(out, StandardCharsets.ISO_8859_1);
            assertThat(printed)
                    .contains("pong")
                    .contains("Verify return code: 0 (ok)")
                    .contains("ALPN protocol: h2")
                    .contains("New, " + protocol);
        } finally {
            if (openssl != null) {
                openssl.destroyForcibly();
            }
            tasks.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void ourClientTalksToOpensslServer(String protocol) throws Exception {
        Path cert = TestTls.copyTo(dir, "localhost.pem");
        Path key = TestTls.copyTo(dir, "localhost.key");
        Path out = dir.resolve("s_server.out");
        TlsConfig config = TlsConfig.client(TestTls.clientContext())
                .protocols(protocol)
                .applicationProtocols("h2", "http/1.1")
                .build();
        ExecutorService tasks = Executors.newSingleThreadExecutor();
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "s_server",
                        "-accept",
                        "127.0.0.1:0",
                        "-cert",
                        cert.toString(),
                        "-key",
                        key.toString(),
                        "-www",
                        "-alpn",
                        "http/1.1",
                        "-naccept",
                        "1",
                        protocol.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2")
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try (Selector selector = Selector.open()) {
            Pattern accept = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)");
            int[] port = new int[1];
            Awaitility.await().atMost(PROCESS_TIMEOUT).until(() -> {
                Matcher m = accept.matcher(Files.readString(out, StandardCharsets.ISO_8859_1));
                if (m.find()) {
                    port[0] = Integer.parseInt(m.group(1));
                    return true;
                }
                return !openssl.isAlive();
            });
            assertThat(port[0])
                    .as("openssl s_server port; it printed: %s", Files.readString(out))
                    .isPositive();
            SocketChannel ch = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port[0]));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            try (TlsPeer client = new TlsPeer(
                    "client",
                    ch,
                    config.newEngine("localhost", port[0]),
                    config,
                    BufferPool.defaultPool(),
                    CipherBlocks.shared(),
                    tasks,
                    selector,
                    false,
                    false)) {
                client.output.writeString("GET / HTTP/1.0\r\n\r\n");
                client.output.flush();
                StringBuilder page = new StringBuilder();
                TlsPair.drive(
                        selector,
                        () -> {
                            if (client.input.len() > 0) {
                                page.append(client.input.readString(client.input.len(), StandardCharsets.ISO_8859_1));
                                client.input.release();
                            }
                            return client.inputEnded || client.failure != null;
                        },
                        client);
                // s_server -www ends its reply with close_notify: a clean end, not a truncation.
                assertThat(client.failure).isNull();
                assertThat(client.session.info().protocol()).isEqualTo(protocol);
                assertThat(client.session.info().applicationProtocol()).isEqualTo("http/1.1");
                assertThat(page.toString()).startsWith("HTTP/1.0 200 ok").contains("Protocol  : " + protocol);
            }
        } finally {
            openssl.destroyForcibly();
            openssl.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            tasks.shutdownNow();
        }
    }

    private static SocketChannel acceptWithin(ServerSocketChannel listener, Selector selector) throws IOException {
        long deadline = System.nanoTime() + PROCESS_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            SocketChannel ch = listener.accept();
            if (ch != null) {
                selector.keys().iterator().next().cancel();
                selector.selectNow();
                return ch;
            }
            selector.select(100);
            selector.selectedKeys().clear();
        }
        throw new AssertionError("openssl s_client did not connect");
    }
}
