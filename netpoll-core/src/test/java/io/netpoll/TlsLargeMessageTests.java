package io.netpoll;

import io.netpoll.buffer.BufferLeakCheckExtension;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;
import io.netpoll.buffer.Writer;
import io.netpoll.internal.tls.CipherBlocks;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.TlsConfig;
import io.netpoll.tls.TlsEngineFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.netpoll.testing.TestNet.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 64 MiB messages both ways over real TLS connections (our {@link Dialer} and an
 * {@link EventLoop} server, on 127.0.0.1), in every handler mode: the client sends one 64 MiB
 * message, the server holds it whole ({@code slice(n)}: plaintext nodes, no copy) and sends it
 * back as one message, which the client holds whole and checks byte for byte. Memory is bounded:
 * each side's buffer pool holds the message it holds and little more (the plaintext is moved, not
 * copied, from input to output), and the ciphertext staging holds a few blocks, not a message.
 */
class TlsLargeMessageTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private static final int MESSAGE = 64 << 20;
    /** Beyond the message: read blocks not yet full, one read turn, a record being unwrapped. */
    private static final long SLACK = 8L << 20;

    /** One message: a 4-byte length, then the bytes. Waits for the whole message (inline: returns until then). */
    private static LinkBuffer message(Reader r, boolean nonBlocking) throws IOException {
        if (nonBlocking
                && (r.len() < 4 || r.len() < 4 + r.peek(4).getInt(r.peek(4).position()))) {
            return null;
        }
        ByteBuffer h = r.next(4);
        int n = h.getInt(h.position());
        return r.slice(n);
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void sixtyFourMiBMessagesBothWaysHoldAboutOneMessageOfMemoryPerSide(HandlerMode mode) throws Exception {
        exchange(mode, TlsConfig.server(TestTls.serverContext("localhost")), CipherBlocks.shared());
    }

    /** Native engines (OpenSSL) want direct memory: the session stages their ciphertext there. */
    @Test
    void anEngineThatPrefersDirectBuffersGetsDirectStaging() throws Exception {
        SSLContext context = TestTls.serverContext("localhost");
        TlsEngineFactory direct = new TlsEngineFactory() {
            @Override
            public SSLEngine newEngine(String peerHost, int peerPort) {
                return context.createSSLEngine();
            }

            @Override
            public boolean prefersDirectBuffers() {
                return true;
            }
        };
        exchange(HandlerMode.ADAPTIVE, TlsConfig.server(direct), CipherBlocks.sharedDirect());
    }

    private void exchange(HandlerMode mode, TlsConfig.ServerBuilder serverTls, CipherBlocks serverStaging)
            throws Exception {
        // Pools of their own, to measure each side; the leak check watches them too.
        BufferPool serverPool = net.closeLater(BufferPool.create(64 << 20));
        BufferPool clientPool = net.closeLater(BufferPool.create(64 << 20));
        BufferLeakCheckExtension.watch(serverPool);
        BufferLeakCheckExtension.watch(clientPool);
        AtomicLong serverHeld = new AtomicLong();
        AtomicLong cipherHeldAtServer = new AtomicLong();
        long cipherBefore = CipherBlocks.shared().outstandingBytes();
        long serverStagingBefore = serverStaging.outstandingBytes();
        Server server = net.startServer(
                (ctx, c) -> {
                    LinkBuffer m = message(c.reader(), mode == HandlerMode.INLINE);
                    if (m == null) {
                        return;
                    }
                    // The whole message is in memory now: the peak of the server's side.
                    serverHeld.set(serverPool.stats().usedBytes());
                    cipherHeldAtServer.set(serverStaging.outstandingBytes() - serverStagingBefore);
                    Writer w = c.writer();
                    w.writeBinary(ByteBuffer.allocate(4).putInt(0, m.len()));
                    w.append(m); // moved, not copied
                    w.flush();
                    c.reader().release();
                },
                Option.handlerMode(mode),
                Option.bufferPool(serverPool),
                // An inline handler's flush cannot wait: let its output queue hold the message.
                Option.maxOutputBuffer(2 * MESSAGE),
                Option.tls(serverTls.build()));
        Dialer d = net.dialer(
                Option.bufferPool(clientPool),
                Option.tls(TlsConfig.client(TestTls.clientContext()).build()));
        byte[] payload = pattern(MESSAGE, 64);
        try (Connection c = d.dialConnection("tcp", "localhost:" + server.port(), Duration.ofSeconds(5))) {
            CompletableFuture<Void> sending = CompletableFuture.runAsync(
                    () -> {
                        try {
                            c.writer().writeBinary(ByteBuffer.allocate(4).putInt(0, MESSAGE));
                            for (int at = 0; at < MESSAGE; at += 1 << 20) {
                                c.writer().writeBinary(ByteBuffer.wrap(payload, at, 1 << 20));
                                c.writer().flush(); // waits while the socket is full: bounded output
                            }
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    },
                    net.exec());
            LinkBuffer reply = message(c.reader(), false);
            long clientHeld = clientPool.stats().usedBytes();
            long cipherHeldAtClient = CipherBlocks.shared().outstandingBytes() - cipherBefore;
            sending.get(30, TimeUnit.SECONDS);
            try {
                assertThat(reply.len()).isEqualTo(MESSAGE);
                byte[] chunk = new byte[1 << 20];
                for (int at = 0; at < MESSAGE; at += chunk.length) {
                    reply.next(chunk.length).get(chunk);
                    if (!java.util.Arrays.equals(chunk, 0, chunk.length, payload, at, at + chunk.length)) {
                        throw new AssertionError("the reply differs in the MiB at " + at);
                    }
                }
            } finally {
                reply.release();
                c.reader().release();
            }
            assertThat(serverHeld.get())
                    .as("server pool holding the 64 MiB message")
                    .isBetween((long) MESSAGE, MESSAGE + SLACK);
            assertThat(clientHeld)
                    .as("client pool holding the 64 MiB reply")
                    .isBetween((long) MESSAGE, MESSAGE + SLACK);
            assertThat(Math.max(cipherHeldAtServer.get(), cipherHeldAtClient))
                    .as("ciphertext staged at the peaks")
                    .isLessThanOrEqualTo(8L * CipherBlocks.MAX_BLOCK);
            assertThat(server.loop().stats().bytesIn()).isEqualTo(4L + MESSAGE);
            assertThat(d.stats().bytesIn()).isEqualTo(4L + MESSAGE);
        }
        // Idle again: neither side holds staging (the server's in the pool it was given).
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(serverStaging.outstandingBytes() - serverStagingBefore)
                        .isLessThanOrEqualTo(0));
    }
}
