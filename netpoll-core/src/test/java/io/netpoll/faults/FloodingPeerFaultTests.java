package io.netpoll.faults;

import io.netpoll.Connection;
import io.netpoll.HandlerMode;
import io.netpoll.Option;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.internal.tls.CipherBlocks;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.netpoll.testing.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Peers that send far more than they read, and servers that send far more than their peers
 * read: the server's memory stays bounded, other connections are served, and what is sent is
 * not lost once the peer reads. The scenarios with a {@link Transport} run with plaintext and
 * with TLS peers (JDK {@code SSLSocket}s); over TLS the ciphertext staging
 * ({@link CipherBlocks}) stays bounded too and is given back.
 */
class FloodingPeerFaultTests {
    @RegisterExtension
    final TestNet net = TestNet.faultScenario();

    private static final long FLOOD = 64L << 20;
    private static final int INPUT_LIMIT = 1 << 20;

    /** Echo: everything readable goes back, zero-copy. */
    private static void echo(Object ctx, Connection c) throws IOException {
        int n = c.reader().len();
        if (n > 0) {
            LinkBuffer b = c.reader().slice(n);
            c.writer().append(b);
            c.writer().flush();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void peerSendingSixtyFourMebibytesWithoutReadingHoldsBoundedMemoryAndLosesNoByte(Transport transport)
            throws Exception {
        BufferPool pool = net.ownPool();
        Server server = net.startServer(
                FloodingPeerFaultTests::echo,
                transport.options(Option.bufferPool(pool), Option.maxInputBuffer(INPUT_LIMIT)));
        long cipherBefore = Transport.stagedCipherBytes();
        Socket s = transport.socket(net, server.port(), 0);
        CompletableFuture<Void> sending = CompletableFuture.runAsync(
                () -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        byte[] chunk = new byte[64 << 10];
                        for (long sent = 0; sent < FLOOD; sent += chunk.length) {
                            fill(chunk, sent);
                            out.write(chunk);
                        }
                        out.flush();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                },
                net.exec());
        // The peer does not read: the handler's flush waits, the server stops reading at the
        // input limit, and the peer's writes block in its kernel.
        AtomicLong lastIn = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> lastIn.getAndSet(server.loop().stats().bytesIn())
                                == server.loop().stats().bytesIn()
                        && server.loop().stats().bytesIn() > INPUT_LIMIT);
        assertThat(sending).as("the peer's writes are blocked").isNotDone();
        long held = pool.stats().usedBytes();
        // The input limit (plus one poller turn past it) and the output the handler is flushing.
        assertThat(held).as("server memory while the peer does not read").isLessThanOrEqualTo(4L * INPUT_LIMIT);
        assertThat(Transport.stagedCipherBytes() - cipherBefore)
                .as("ciphertext staged while the peer does not read: a block or two (TLS), none (plaintext)")
                .isLessThanOrEqualTo(transport == Transport.TLS ? 4L * CipherBlocks.MAX_BLOCK : 0);
        assertThat(server.loop().stats().bytesIn()).isLessThan(FLOOD);

        // Now the peer reads: every byte comes back, in order.
        InputStream in = s.getInputStream();
        byte[] expected = new byte[64 << 10];
        byte[] got = new byte[64 << 10];
        for (long read = 0; read < FLOOD; read += got.length) {
            fill(expected, read);
            assertThat(in.readNBytes(got, 0, got.length)).isEqualTo(got.length);
            if (!java.util.Arrays.equals(got, expected)) {
                throw new AssertionError("echo differs in the 64 KiB chunk at offset " + read);
            }
        }
        sending.get(20, TimeUnit.SECONDS);
        assertThat(server.loop().stats().bytesOut()).isEqualTo(FLOOD);
        assertThat(server.loop().stats().writeTimeoutCloses()).isZero();
    }

    @Test
    void inlineServerFloodedByAPeerThatDoesNotReadIsClosedAtTheOutputLimit() throws Exception {
        // An inline handler's flush cannot wait: the output limit bounds the memory instead.
        BufferPool pool = net.ownPool();
        int outputLimit = 4 << 20;
        Server server = net.startServer(
                FloodingPeerFaultTests::echo,
                Option.inlineHandlers(),
                Option.bufferPool(pool),
                Option.maxInputBuffer(INPUT_LIMIT),
                Option.maxOutputBuffer(outputLimit));
        Socket s = net.socket(server.port());
        AtomicLong maxUsed = new AtomicLong();
        CompletableFuture<Void> sending = CompletableFuture.runAsync(
                () -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        byte[] chunk = new byte[64 << 10];
                        for (long sent = 0; sent < FLOOD; sent += chunk.length) {
                            out.write(chunk);
                            maxUsed.accumulateAndGet(pool.stats().usedBytes(), Math::max);
                        }
                    } catch (IOException closedByTheServer) {
                        // expected: the server gave up on us
                    }
                },
                net.exec());
        sending.get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().outputLimitCloses() == 1);
        assertThat(maxUsed.get()).as("server memory").isLessThanOrEqualTo(outputLimit + 2L * INPUT_LIMIT);
        assertThat(server.loop().stats().handlerErrors()).isZero();
        assertThat(Frames.freshClientServed(server.port(), 7)).isTrue(); // an echo answers a frame with itself
    }

    /** {@code (HandlerMode, Transport)}: the two modes whose flushes wait, on each transport. */
    static Stream<Arguments> waitingModesOnEach() {
        return Stream.of(Transport.values())
                .flatMap((transport) -> Stream.of(HandlerMode.ADAPTIVE, HandlerMode.WORKER)
                        .map((mode) -> Arguments.of(mode, transport)));
    }

    @ParameterizedTest
    @MethodSource("waitingModesOnEach")
    void manyPeersThatStopReadingAreClosedAtTheWriteTimeoutWhileOthersAreServed(HandlerMode mode, Transport transport)
            throws Exception {
        // Output backpressure: each handler tries to send 1 GiB to a peer that does not read.
        // Its flush waits up to the write timeout, then the connection is closed and counted.
        // (Adaptive: flushes queue without waiting until the peer is a high-water mark behind.)
        BufferPool pool = net.ownPool();
        int peers = transport == Transport.TLS ? 20 : 50; // a TLS peer costs a handshake
        int chunk = 64 << 10;
        AtomicLong maxUsed = new AtomicLong();
        Server server = net.startServer(
                (ctx, c) -> {
                    byte kind = c.reader().readByte();
                    if (kind == 'e') { // a well-behaved client: a one-byte echo
                        c.writer().writeByte(kind);
                        c.writer().flush();
                        return;
                    }
                    byte[] data = new byte[chunk];
                    for (int i = 0; i < 16_384; i++) { // 1 GiB, bounded
                        c.writer().writeBinary(data, 0, data.length);
                        maxUsed.accumulateAndGet(pool.stats().usedBytes(), Math::max);
                        c.writer().flush();
                    }
                },
                transport.options(
                        Option.bufferPool(pool),
                        Option.writeTimeout(Duration.ofMillis(300)),
                        Option.handlerMode(mode)));
        long cipherBefore = Transport.stagedCipherBytes();
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < peers; i++) {
            Socket s = transport.socket(net, server.port(), 16 << 10);
            s.getOutputStream().write('f'); // start the flood; never read
            s.getOutputStream().flush();
            stalled.add(s);
        }
        Socket good = transport.socket(net, server.port(), 0);
        long maxCipher = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (server.loop().stats().writeTimeoutCloses() < peers && System.nanoTime() < deadline) {
            good.getOutputStream().write('e'); // served while the others' flushes wait
            good.getOutputStream().flush();
            assertThat(good.getInputStream().read()).isEqualTo('e');
            maxCipher = Math.max(maxCipher, Transport.stagedCipherBytes() - cipherBefore);
        }
        assertThat(server.loop().stats().writeTimeoutCloses()).isEqualTo(peers);
        assertThat(server.loop().stats().handlerErrors())
                .as("a write timeout is not a handler error")
                .isZero();
        for (Socket s : stalled) { // each got what the socket buffers held, then EOF
            if (transport == Transport.PLAINTEXT) {
                assertThat(s.getInputStream().transferTo(OutputStream.nullOutputStream()))
                        .isPositive();
                continue;
            }
            try {
                s.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException truncated) {
                // no close_notify could get through a full socket: the JDK may call it a truncation
            }
        }
        // One chunk in flight per stalled connection (adaptive: the 256 KiB high-water mark and
        // one chunk), never the gigabytes the handlers asked for.
        long perPeer = mode == HandlerMode.ADAPTIVE ? (256 << 10) + 4L * chunk : 4L * chunk;
        assertThat(maxUsed.get()).isLessThanOrEqualTo(peers * perPeer);
        assertThat(maxCipher)
                .as("ciphertext staged for stalled peers: two blocks each at most (TLS), none (plaintext)")
                .isLessThanOrEqualTo(transport == Transport.TLS ? (peers + 1) * 2L * CipherBlocks.MAX_BLOCK : 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> Transport.stagedCipherBytes() <= cipherBefore);
    }

    /** The flood's bytes: a function of the offset, so both sides can check without storing 64 MiB. */
    private static void fill(byte[] chunk, long offset) {
        long x = offset / chunk.length * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < chunk.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            chunk[i] = (byte) x;
        }
    }
}
