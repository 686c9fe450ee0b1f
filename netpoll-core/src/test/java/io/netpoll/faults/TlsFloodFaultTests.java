package io.netpoll.faults;

import io.netpoll.Connection;
import io.netpoll.HandlerMode;
import io.netpoll.Option;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.internal.tls.CipherBlocks;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import io.netpoll.testing.TestTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.netpoll.testing.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FloodingPeerFaultTests}' floods with TLS on, from JDK {@code SSLSocket} peers: a peer
 * that sends 64 MiB and does not read, and peers that stop reading what the server sends. The
 * server's memory stays bounded, in its buffer pool (plaintext) and in the ciphertext staging
 * ({@link CipherBlocks}), nothing is lost, and others are served; {@link FaultScenario} checks
 * afterwards that every buffer node came back.
 */
class TlsFloodFaultTests {
    @RegisterExtension
    final TestNet net = TestNet.faultScenario();

    private static final long FLOOD = 64L << 20;
    private static final int INPUT_LIMIT = 1 << 20;

    private static void echo(Object ctx, Connection c) throws IOException {
        int n = c.reader().len();
        if (n > 0) {
            LinkBuffer b = c.reader().slice(n);
            c.writer().append(b);
            c.writer().flush();
        }
    }

    private SSLSocket tlsSocket(int port, int receiveBuffer) throws IOException {
        SSLSocket s = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket();
        net.peer(s);
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    @Test
    void aTlsPeerSendingSixtyFourMebibytesWithoutReadingHoldsBoundedMemoryAndLosesNoByte() throws Exception {
        BufferPool pool = net.ownPool();
        Server server = net.startServer(
                TlsFloodFaultTests::echo,
                Option.bufferPool(pool),
                Option.maxInputBuffer(INPUT_LIMIT),
                TlsFaultTests.tls(Duration.ofSeconds(10)));
        long cipherBefore = CipherBlocks.shared().outstandingBytes();
        SSLSocket s = tlsSocket(server.port(), 0);
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
        AtomicLong lastIn = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> lastIn.getAndSet(server.loop().stats().bytesIn())
                                == server.loop().stats().bytesIn()
                        && server.loop().stats().bytesIn() > INPUT_LIMIT);
        assertThat(sending).as("the peer's writes are blocked").isNotDone();
        assertThat(pool.stats().usedBytes())
                .as("plaintext held while the peer does not read")
                .isLessThanOrEqualTo(4L * INPUT_LIMIT);
        assertThat(CipherBlocks.shared().outstandingBytes() - cipherBefore)
                .as("ciphertext staged while the peer does not read: a block or two")
                .isLessThanOrEqualTo(4L * CipherBlocks.MAX_BLOCK);
        assertThat(server.loop().stats().bytesIn()).isLessThan(FLOOD);

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

    @ParameterizedTest
    @EnumSource(
            value = HandlerMode.class,
            names = {"ADAPTIVE", "WORKER"})
    void tlsPeersThatStopReadingAreClosedAtTheWriteTimeoutWhileOthersAreServed(HandlerMode mode) throws Exception {
        BufferPool pool = net.ownPool();
        int peers = 20;
        int chunk = 64 << 10;
        AtomicLong maxUsed = new AtomicLong();
        Server server = net.startServer(
                (ctx, c) -> {
                    byte kind = c.reader().readByte();
                    if (kind == 'e') {
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
                Option.bufferPool(pool),
                Option.writeTimeout(Duration.ofMillis(300)),
                Option.handlerMode(mode),
                TlsFaultTests.tls(Duration.ofSeconds(10)));
        long cipherBefore = CipherBlocks.shared().outstandingBytes();
        List<SSLSocket> stalled = new ArrayList<>();
        for (int i = 0; i < peers; i++) {
            SSLSocket s = tlsSocket(server.port(), 16 << 10);
            s.getOutputStream().write('f'); // start the flood; never read
            s.getOutputStream().flush();
            stalled.add(s);
        }
        SSLSocket good = tlsSocket(server.port(), 0);
        long maxCipher = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (server.loop().stats().writeTimeoutCloses() < peers && System.nanoTime() < deadline) {
            good.getOutputStream().write('e');
            good.getOutputStream().flush();
            assertThat(good.getInputStream().read()).isEqualTo('e');
            maxCipher = Math.max(maxCipher, CipherBlocks.shared().outstandingBytes() - cipherBefore);
        }
        assertThat(server.loop().stats().writeTimeoutCloses()).isEqualTo(peers);
        assertThat(server.loop().stats().handlerErrors()).isZero();
        for (SSLSocket s : stalled) { // each got what the socket buffers held, then the end
            try {
                s.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException truncated) {
                // no close_notify could get through a full socket: the JDK may call it a truncation
            }
        }
        long perPeer = mode == HandlerMode.ADAPTIVE ? (256 << 10) + 4L * chunk : 4L * chunk;
        assertThat(maxUsed.get()).isLessThanOrEqualTo(peers * perPeer);
        assertThat(maxCipher)
                .as("ciphertext staged for stalled peers")
                .isLessThanOrEqualTo((peers + 1) * 2L * CipherBlocks.MAX_BLOCK);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> CipherBlocks.shared().outstandingBytes() <= cipherBefore);
    }

    /** The flood's bytes: a function of the offset (as in {@link FloodingPeerFaultTests}). */
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
