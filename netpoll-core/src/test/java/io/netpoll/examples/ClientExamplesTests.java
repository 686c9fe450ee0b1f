package io.netpoll.examples;

import io.netpoll.Connection;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.mux.ShardQueue;
import io.netpoll.pool.ConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Runs the guide's client-side snippets: the line server, the pooled line client, length fields, ShardQueue. */
@Timeout(60)
class ClientExamplesTests {
    private PollerGroup group;
    private EventLoop loop;

    @BeforeEach
    void setUp() {
        group = PollerGroup.create(1);
    }

    @AfterEach
    void tearDown() {
        if (loop != null) {
            loop.shutdown(Duration.ofSeconds(2));
        }
        group.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> BufferPool.defaultPool().stats().outstandingNodes() == 0);
    }

    private String startLineServer() throws IOException {
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        loop = Netpoll.newEventLoop(
                CodecExamples.lineServer(),
                Option.pollerGroup(group),
                Option.inlineHandlers(),
                Option.onPrepare(CodecExamples.lineDecoderPerConnection()));
        async(() -> {
            try {
                loop.serve(listener);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        return "127.0.0.1:" + listener.port();
    }

    @Test
    void thePooledLineClientTalksToTheInlineLineServer() throws Exception {
        String address = startLineServer();
        try (ConnectionPool pool = ConnectionPool.builder(
                        Netpoll.newDialer(Option.pollerGroup(group), Option.readTimeout(Duration.ofSeconds(10))))
                .maxConnections(2)
                .build()) {
            LineClient client = new LineClient(pool, address);
            for (int i = 0; i < 20; i++) {
                assertThat(client.call("hello " + i)).isEqualTo("HELLO " + i);
            }
            assertThat(client.call("x".repeat(5000))).isEqualTo("X".repeat(5000));
            assertThat(pool.stats().created()).isEqualTo(1); // one connection, reused 21 times
            // A line over the server's 8 KiB limit: the server closes, the client discards its connection.
            assertThatThrownBy(() -> client.call("y".repeat(9000))).isInstanceOf(IOException.class);
            assertThat(pool.stats().active()).isZero();
            assertThat(client.call("again")).isEqualTo("AGAIN");
            assertThat(pool.stats().created()).isEqualTo(2);
        }
    }

    @Test
    void lengthFieldFramesAndTheShardQueue() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = async(() -> server.accept());
            Connection conn = Netpoll.newDialer(Option.pollerGroup(group))
                    .dialConnection("tcp", "127.0.0.1:" + server.getLocalPort());
            try (Socket peer = accepted.get(10, TimeUnit.SECONDS)) {
                OutputStream out = peer.getOutputStream();
                byte[] body = "framed".getBytes(StandardCharsets.UTF_8);
                out.write(new byte[] {0, 0, 0, (byte) body.length});
                out.flush();
                CompletableFuture<LinkBuffer> frame = async(() -> CodecExamples.readLengthPrefixed(conn));
                out.write(body); // the rest arrives later: the blocking form waits for it
                out.flush();
                try (LinkBuffer f = frame.get(10, TimeUnit.SECONDS)) {
                    assertThat(f.readString(f.len())).isEqualTo("framed");
                }
                ShardQueue queue = new ShardQueue(conn);
                CompletableFuture<?>[] senders = new CompletableFuture<?>[4];
                for (int t = 0; t < senders.length; t++) {
                    senders[t] = async(() -> {
                        try {
                            for (int i = 0; i < 100; i++) {
                                CodecExamples.sendFromManyThreads(queue, "abcdefgh\n");
                            }
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    });
                }
                CompletableFuture.allOf(senders).get(20, TimeUnit.SECONDS);
                InputStream in = peer.getInputStream();
                byte[] all = in.readNBytes(4 * 100 * 9);
                assertThat(new String(all, StandardCharsets.US_ASCII)).isEqualTo("abcdefgh\n".repeat(400));
            } finally {
                conn.close();
            }
        }
    }
}
