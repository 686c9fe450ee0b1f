package io.netpoll.internal.tls;

import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.ClientAuth;
import io.netpoll.tls.TlsConfig;
import io.netpoll.tls.TlsRenegotiationException;
import io.netpoll.tls.TlsSessionInfo;
import io.netpoll.tls.TlsTruncationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link TlsSession} pairs over loopback sockets, JDK engine on both sides: handshakes, failures,
 * hostile and broken peers, data in every size, close.
 */
class TlsSessionTests {

    private static TlsConfig server(String protocol) {
        return TlsConfig.server(TestTls.serverContext("localhost"))
                .protocols(protocol)
                .build();
    }

    private static TlsConfig client(String protocol) {
        return TlsConfig.client(TestTls.clientContext()).protocols(protocol).build();
    }

    private static String cn(Object cert) {
        return ((X509Certificate) cert).getSubjectX500Principal().getName();
    }

    /** Writes {@code data} into {@code from}'s output and drives until {@code to}'s input has it all; returns it. */
    private static byte[] transfer(TlsPair pair, TlsPeer from, TlsPeer to, byte[] data) {
        from.output.writeBinary(data);
        from.output.flush();
        pair.driveUntil(() -> to.input.len() >= data.length || from.failure != null || to.failure != null);
        assertThat(from.failure).isNull();
        assertThat(to.failure).isNull();
        byte[] got = to.input.readBinary(data.length);
        to.input.release();
        return got;
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed + (i >>> 11));
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void handshakeNegotiatesProtocolAlpnAndReportsTheSession(String protocol) throws IOException {
        TlsConfig s = TlsConfig.server(TestTls.serverContext("localhost"))
                .protocols(protocol)
                .applicationProtocols("http/1.1", "h2")
                .build();
        TlsConfig c = TlsConfig.client(TestTls.clientContext())
                .protocols(protocol)
                .applicationProtocols("h2", "http/1.1")
                .build();
        try (TlsPair pair = TlsPair.builder(s, c).open()) {
            pair.handshake();
            assertThat(pair.client.failure).isNull();
            assertThat(pair.server.failure).isNull();
            TlsSessionInfo ci = pair.client.session.info();
            TlsSessionInfo si = pair.server.session.info();
            assertThat(ci.protocol()).isEqualTo(protocol);
            assertThat(si.protocol()).isEqualTo(protocol);
            assertThat(ci.cipherSuite()).isEqualTo(si.cipherSuite()).isNotEmpty();
            // The server picks by its own preference among what the client offers.
            assertThat(ci.applicationProtocol()).isEqualTo("http/1.1");
            assertThat(si.applicationProtocol()).isEqualTo("http/1.1");
            assertThat(ci.peerCertificates()).hasSize(1);
            assertThat(cn(ci.peerCertificates().get(0))).isEqualTo("CN=localhost");
            assertThat(si.peerCertificates()).isEmpty();
            assertThat(si.localCertificates()).hasSize(1);
            // The JDK sends SNI only for names with a dot: none for "localhost" (see the serverName test).
            assertThat(ci.serverName()).isNull();
            assertThat(si.serverName()).isNull();
            // Delegated tasks ran, on the executor's thread: never on the pump (this thread).
            assertThat(pair.client.tasksDone.get() + pair.server.tasksDone.get())
                    .isPositive();
            assertThat(pair.taskThreads).isNotEmpty().doesNotContain(Thread.currentThread());

            byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
            assertThat(transfer(pair, pair.client, pair.server, ping)).isEqualTo(ping);
            byte[] big = pattern(100_000, 7); // several records
            assertThat(transfer(pair, pair.server, pair.client, big)).isEqualTo(big);
            // TLS 1.3 on the JDK reports FINISHED twice (unwrap, then the next wrap): the session
            // finished once, and later FINISHED or post-handshake messages changed nothing.
            assertThat(pair.client.session.info()).isSameAs(ci);
            assertThat(pair.server.session.info()).isSameAs(si);
        }
    }

    @Test
    void withoutAlpnNoProtocolIsReported() throws IOException {
        try (TlsPair pair =
                TlsPair.builder(server("TLSv1.3"), client("TLSv1.3")).open()) {
            pair.handshake();
            assertThat(pair.client.session.info().applicationProtocol()).isNull();
            assertThat(pair.server.session.info().applicationProtocol()).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void mutualTlsAcceptsAClientCertificateAndRefusesAClientWithout(String protocol) throws IOException {
        TlsConfig s = TlsConfig.server(TestTls.serverContext("localhost"))
                .protocols(protocol)
                .clientAuth(ClientAuth.NEED)
                .build();
        TlsConfig withCert = TlsConfig.client(TestTls.clientContext("client"))
                .protocols(protocol)
                .build();
        try (TlsPair pair = TlsPair.builder(s, withCert).open()) {
            pair.handshake();
            assertThat(pair.server.failure).isNull();
            assertThat(cn(pair.server.session.info().peerCertificates().get(0))).isEqualTo("CN=client");
        }
        try (TlsPair pair = TlsPair.builder(s, client(protocol)).open()) {
            pair.handshake();
            assertThat(pair.server.failure).isInstanceOf(SSLHandshakeException.class);
        }
        TlsConfig want = TlsConfig.server(TestTls.serverContext("localhost"))
                .protocols(protocol)
                .clientAuth(ClientAuth.WANT)
                .build();
        try (TlsPair pair = TlsPair.builder(want, client(protocol)).open()) {
            pair.handshake();
            assertThat(pair.server.failure).isNull();
            assertThat(pair.server.session.info().peerCertificates()).isEmpty();
        }
    }

    @Test
    void hostnameVerificationRefusesACertificateForAnotherName() throws IOException {
        TlsConfig s = TlsConfig.server(TestTls.serverContext("other-name")).build();
        try (TlsPair pair = TlsPair.builder(
                        s, TlsConfig.client(TestTls.clientContext()).build())
                .open()) {
            pair.handshake();
            assertThat(pair.client.failure)
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("localhost");
            assertThat(pair.client.session.info()).isNull();
            // Closing sends the alert the engine queued: the server learns why, not just that.
            pair.client.session.closeOutbound();
            pair.driveUntil(() -> pair.server.failure != null);
            assertThat(pair.server.failure)
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("certificate");
        }
        // Verified against the configured server name instead of the dialed host: accepted.
        TlsConfig named = TlsConfig.client(TestTls.clientContext())
                .serverName("other.invalid")
                .build();
        try (TlsPair pair = TlsPair.builder(s, named).open()) {
            pair.handshake();
            assertThat(pair.client.failure).isNull();
            assertThat(pair.client.session.info().serverName()).isEqualTo("other.invalid");
            assertThat(pair.server.session.info().serverName()).isEqualTo("other.invalid");
        }
        // Also by IP address: the certificate's IP SAN matches 127.0.0.1, not 127.0.0.2.
        try (TlsPair pair = TlsPair.builder(server("TLSv1.3"), client("TLSv1.3"))
                .peerHost("127.0.0.1")
                .open()) {
            pair.handshake();
            assertThat(pair.client.failure).isNull();
        }
        try (TlsPair pair = TlsPair.builder(server("TLSv1.3"), client("TLSv1.3"))
                .peerHost("127.0.0.2")
                .open()) {
            pair.handshake();
            assertThat(pair.client.failure).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void untrustedAndExpiredCertificatesAreRefused() throws IOException {
        try (TlsPair pair = TlsPair.builder(
                        TlsConfig.server(TestTls.serverContext("untrusted")).build(), client("TLSv1.3"))
                .open()) {
            pair.handshake();
            assertThat(pair.client.failure)
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("certification path");
        }
        try (TlsPair pair = TlsPair.builder(
                        TlsConfig.server(TestTls.serverContext("expired")).build(), client("TLSv1.3"))
                .open()) {
            pair.handshake();
            assertThat(pair.client.failure).isInstanceOf(SSLHandshakeException.class);
            assertThat(causes(pair.client.failure)).contains(java.security.cert.CertificateExpiredException.class);
        }
    }

    private static java.util.List<Class<?>> causes(Throwable t) {
        java.util.List<Class<?>> out = new java.util.ArrayList<>();
        for (Throwable c = t; c != null && out.size() < 20; c = c.getCause()) {
            out.add(c.getClass());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void recordsSplitAtEveryByteStillArrive(String protocol) throws IOException {
        try (TlsPair pair = TlsPair.builder(server(protocol), client(protocol))
                .oneByteReadsAndChoppyWrites()
                .open()) {
            pair.handshake();
            assertThat(pair.client.failure).isNull();
            assertThat(pair.server.failure).isNull();
            byte[] small = "hello".getBytes(StandardCharsets.US_ASCII);
            assertThat(transfer(pair, pair.client, pair.server, small)).isEqualTo(small);
            byte[] spanning = pattern(20_000, 3); // two records, each cut in every place by the reads
            assertThat(transfer(pair, pair.server, pair.client, spanning)).isEqualTo(spanning);
            assertThat(transfer(pair, pair.client, pair.server, spanning)).isEqualTo(spanning);
        }
    }

    @Test
    void sixtyFourMebibytesBothWaysStreamThroughBoundedMemory() throws IOException {
        int total = 64 << 20;
        int chunk = 256 * 1024;
        try (BufferPool pool = BufferPool.create(64L << 20);
                TlsPair pair = TlsPair.builder(server("TLSv1.3"), client("TLSv1.3"))
                        .pool(pool)
                        .open()) {
            pair.handshake();
            long[] sent = new long[2];
            long[] received = new long[2];
            TlsPeer[] from = {pair.client, pair.server};
            TlsPeer[] to = {pair.server, pair.client};
            long[] maxUsed = new long[1];
            pair.driveUntil(() -> {
                for (int d = 0; d < 2; d++) {
                    // The writer keeps at most two chunks queued: a streaming producer.
                    if (sent[d] < total && from[d].output.len() < 2 * chunk) {
                        int n = (int) Math.min(chunk, total - sent[d]);
                        ByteBuffer b = from[d].output.malloc(n);
                        for (int i = 0; i < n; i += 8) {
                            b.putLong(b.position() + i, sent[d] + i);
                        }
                        from[d].output.flush();
                        sent[d] += n;
                    }
                    // The handler reads views of the input's nodes (no copy) and checks them.
                    LinkBuffer in = to[d].input;
                    int avail = in.len() & ~7;
                    while (avail > 0) {
                        int k = Math.min(avail, 4096);
                        ByteBuffer v = in.next(k);
                        for (int i = 0; i < k; i += 8) {
                            long expect = received[d] + i;
                            if (v.getLong(v.position() + i) != expect) {
                                throw new AssertionError("direction " + d + ": wrong bytes at " + expect);
                            }
                        }
                        received[d] += k;
                        avail -= k;
                    }
                    in.release();
                }
                maxUsed[0] = Math.max(maxUsed[0], pool.stats().usedBytes());
                return (received[0] == total && received[1] == total)
                        || pair.client.failure != null
                        || pair.server.failure != null;
            });
            assertThat(pair.client.failure).isNull();
            assertThat(pair.server.failure).isNull();
            // Streamed, not accumulated: far below the 128 MiB that went through.
            assertThat(maxUsed[0]).isLessThan(16L << 20);
            assertThat(pair.client.session.holdsStaging()).isFalse();
            assertThat(pair.server.session.holdsStaging()).isFalse();
            assertThat(pair.blocks.outstanding()).isZero();
        }
    }

    @Test
    void aReadThatDrainsTheSocketIsNotFollowedByAnEmptyRead() throws IOException {
        try (TlsPair pair =
                TlsPair.builder(server("TLSv1.3"), client("TLSv1.3")).open()) {
            pair.handshake();
            transfer(pair, pair.client, pair.server, pattern(100, 1)); // session tickets settle
            pair.server.input.skip(pair.server.input.len());
            long scratchBefore = CipherBlocks.sharedDirect().outstanding();
            for (int round = 0; round < 20; round++) {
                pair.client.output.writeBinary(pattern(1024, round));
                pair.client.output.flush();
                assertThat(pair.client.session.flush(pair.client.output)).isEqualTo(TlsSession.FLUSHED);
                int got = 0;
                long deadline = System.nanoTime() + TlsPair.DEADLINE_NANOS;
                while (got < 1024 && System.nanoTime() - deadline < 0) {
                    int emptyBefore = pair.server.emptyReads.get();
                    int n = pair.server.session.read(64 * 1024);
                    if (n > 0) {
                        // The socket held less than the room offered: the session must not ask again.
                        assertThat(pair.server.emptyReads.get())
                                .as("empty reads in a call that got data")
                                .isEqualTo(emptyBefore);
                        got += n;
                    } else {
                        Thread.onSpinWait();
                    }
                }
                assertThat(got).isEqualTo(1024);
                assertThat(pair.server.input.readBinary(1024)).isEqualTo(pattern(1024, round));
            }
            // Socket I/O went through direct scratch blocks, each given back within its call.
            assertThat(CipherBlocks.sharedDirect().outstanding()).isEqualTo(scratchBefore);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void directStagingCoalescesManyViewsIntoRecordsAndDeliversEveryByte(String protocol) throws IOException {
        try (TlsPair pair = TlsPair.builder(server(protocol), client(protocol))
                .directStaging()
                .oneByteReadsAndChoppyWrites()
                .open()) {
            pair.handshake();
            java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
            // Many small buffers appended zero-copy: one view each in the output, then a large one.
            for (int i = 0; i < 40; i++) {
                byte[] piece = pattern(100 + i * 37, i);
                LinkBuffer b = new LinkBuffer();
                b.writeBinary(piece);
                b.flush();
                pair.client.output.append(b);
                sent.writeBytes(piece);
            }
            byte[] big = pattern(40_000, 99);
            pair.client.output.writeBinary(big);
            sent.writeBytes(big);
            pair.client.output.flush();
            byte[] all = sent.toByteArray();
            pair.driveUntil(() -> pair.server.input.len() >= all.length
                    || pair.client.failure != null
                    || pair.server.failure != null);
            assertThat(pair.client.failure).isNull();
            assertThat(pair.server.failure).isNull();
            assertThat(pair.server.input.readBinary(all.length)).isEqualTo(all);
            pair.driveUntil(() -> !pair.client.session.holdsStaging() && !pair.server.session.holdsStaging());
            assertThat(pair.blocks.outstanding()).isZero();
        }
    }

    @Test
    void idleSessionsHoldNoStagingBuffer() throws IOException {
        try (BufferPool pool = BufferPool.create(16L << 20);
                TlsPair pair = TlsPair.builder(server("TLSv1.3"), client("TLSv1.3"))
                        .pool(pool)
                        .open()) {
            pair.handshake();
            byte[] msg = pattern(50_000, 1);
            transfer(pair, pair.client, pair.server, msg);
            transfer(pair, pair.server, pair.client, msg);
            // Let the session tickets and anything else in flight settle.
            pair.driveUntil(() -> !pair.client.session.holdsStaging() && !pair.server.session.holdsStaging());
            // No ciphertext block (heap) and no plaintext node (direct) is held by idle sessions.
            assertThat(pair.blocks.outstanding()).isZero();
            assertThat(pair.blocks.outstandingBytes()).isZero();
            assertThat(pool.stats().outstandingNodes()).isZero();
        }
    }

    @Test
    void garbageInsteadOfAClientHelloFailsTheHandshake() throws IOException {
        SocketChannelPair raw = SocketChannelPair.open();
        try (raw;
                TlsLone server = TlsLone.server(raw.server, server("TLSv1.3"))) {
            raw.client.write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            assertThatThrownBy(() -> server.handshakeUntilNot(TlsSession.Step.NEED_READ))
                    .isInstanceOf(SSLException.class);
            assertThat(server.input.len()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aForgedRecordIsRefusedAndNothingOfItIsDelivered(String protocol) throws IOException {
        try (TlsPair pair = TlsPair.builder(server(protocol), client(protocol)).open()) {
            pair.handshake();
            byte[] real = "genuine".getBytes(StandardCharsets.US_ASCII);
            assertThat(transfer(pair, pair.client, pair.server, real)).isEqualTo(real);
            // An application data record the client's keys never made (an attacker on the path).
            byte[] forged = pattern(200, 42);
            ByteBuffer rec = ByteBuffer.allocate(5 + forged.length)
                    .put((byte) 23)
                    .put((byte) 3)
                    .put((byte) 3)
                    .putShort((short) forged.length)
                    .put(forged)
                    .flip();
            pair.client.socket.write(rec);
            pair.driveUntil(() -> pair.server.failure != null);
            assertThat(pair.server.failure).isInstanceOf(SSLException.class);
            assertThat(pair.server.input.len()).isZero();
        }
    }

    @Test
    void aRecordLongerThanTlsAllowsIsRefusedBeforeItIsBuffered() throws IOException {
        SocketChannelPair raw = SocketChannelPair.open();
        try (raw;
                TlsLone server = TlsLone.server(raw.server, server("TLSv1.3"))) {
            // A handshake record header announcing 65,535 bytes, and only the header.
            raw.client.write(ByteBuffer.wrap(new byte[] {22, 3, 1, (byte) 0xff, (byte) 0xff}));
            assertThatThrownBy(() -> server.handshakeUntilNot(TlsSession.Step.NEED_READ))
                    .isInstanceOf(SSLException.class)
                    .hasMessageContaining("65535");
        }
    }

    @Test
    void aStalledHandshakeWaitsForReadingUntilItsDeadline() throws IOException {
        SocketChannelPair raw = SocketChannelPair.open();
        TlsConfig s = TlsConfig.server(TestTls.serverContext("localhost"))
                .handshakeTimeout(Duration.ofMillis(300))
                .build();
        try (raw;
                TlsLone server = TlsLone.server(raw.server, s)) {
            // Half a ClientHello, then nothing: the slowloris of TLS.
            byte[] hello = clientHello();
            raw.client.write(ByteBuffer.wrap(hello, 0, hello.length / 2));
            long start = System.nanoTime();
            assertThat(server.session.handshake()).isEqualTo(TlsSession.Step.NEED_READ);
            assertThat(server.session.handshakeExpired(start)).isFalse();
            assertThat(server.session.handshakeDeadlineNanos() - start)
                    .isLessThanOrEqualTo(Duration.ofMillis(300).toNanos());
            assertThat(server.session.handshakeExpired(server.session.handshakeDeadlineNanos()))
                    .isTrue();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> server.session.handshakeExpired(System.nanoTime()));
        }
    }

    @Test
    void aThousandHalfOpenHandshakesHoldOnlyWhatTheySent() throws IOException {
        byte[] hello = clientHello();
        byte[] half = Arrays.copyOf(hello, 100);
        CipherBlocks blocks = new CipherBlocks(16);
        try (BufferPool pool = BufferPool.create(16L << 20)) {
            TlsConfig s = server("TLSv1.3");
            java.util.List<TlsSession> sessions = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    LinkBuffer input = new LinkBuffer(pool);
                    TlsSession session = new TlsSession(
                            s.newEngine(null, 0),
                            s.handshakeTimeout(),
                            new BytesThenNothing(half),
                            new NullSink(),
                            input,
                            blocks,
                            Runnable::run,
                            new NoHost());
                    sessions.add(session);
                    assertThat(session.handshake()).isEqualTo(TlsSession.Step.NEED_READ);
                    input.close();
                }
                // 100 bytes each, kept in the smallest block (1 KiB), not in the 32 KiB read block.
                assertThat(blocks.outstanding()).isEqualTo(1000);
                assertThat(blocks.outstandingBytes()).isEqualTo(1000L * 1024);
                assertThat(pool.stats().outstandingNodes()).isZero();
            } finally {
                sessions.forEach(TlsSession::free);
            }
            assertThat(blocks.outstanding()).isZero();
        }
    }

    @Test
    void clientInitiatedRenegotiationIsRefusedOnTls12() throws IOException {
        try (TlsPair pair =
                TlsPair.builder(server("TLSv1.2"), client("TLSv1.2")).open()) {
            pair.handshake();
            pair.client.engine.beginHandshake(); // the client wants a new handshake: a ClientHello goes out
            pair.client.output.writeBinary(new byte[] {1});
            pair.client.output.flush();
            pair.driveUntil(() -> pair.server.failure != null);
            assertThat(pair.server.failure)
                    .isInstanceOf(TlsRenegotiationException.class)
                    .hasMessageContaining("renegotiation refused");
        }
    }

    @Test
    void serverInitiatedRenegotiationIsRefusedOnTls12() throws IOException {
        try (TlsPair pair =
                TlsPair.builder(server("TLSv1.2"), client("TLSv1.2")).open()) {
            pair.handshake();
            pair.server.engine.beginHandshake(); // a HelloRequest goes out with the next data
            pair.server.output.writeBinary(new byte[] {1});
            pair.server.output.flush();
            pair.driveUntil(() -> pair.client.failure != null);
            assertThat(pair.client.failure).isInstanceOf(TlsRenegotiationException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void keyUpdatesWorkBothWaysOnTls13(boolean choppy) throws IOException {
        TlsPair.Builder b = TlsPair.builder(server("TLSv1.3"), client("TLSv1.3"));
        if (choppy) {
            b.oneByteReadsAndChoppyWrites(); // the replies meet a full socket: Host.writePending
        }
        try (TlsPair pair = b.open()) {
            pair.handshake();
            byte[] msg = pattern(choppy ? 3_000 : 30_000, 5);
            // First a round trip, so that the session tickets are out of the way.
            transfer(pair, pair.client, pair.server, msg);
            transfer(pair, pair.server, pair.client, msg);
            for (TlsPeer initiator : new TlsPeer[] {pair.client, pair.server}) {
                TlsPeer other = initiator == pair.client ? pair.server : pair.client;
                long before = other.cipherWritten.get();
                initiator.engine.beginHandshake(); // TLS 1.3: a KeyUpdate that asks for one back
                assertThat(initiator.engine.getHandshakeStatus()).isEqualTo(HandshakeStatus.NEED_WRAP);
                assertThat(transfer(pair, initiator, other, msg)).isEqualTo(msg);
                // The other side answered with its own KeyUpdate without having data to send.
                pair.driveUntil(() -> other.engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                                && other.cipherWritten.get() > before
                        || other.failure != null);
                assertThat(transfer(pair, other, initiator, msg)).isEqualTo(msg);
                assertThat(initiator.engine.getHandshakeStatus()).isEqualTo(HandshakeStatus.NOT_HANDSHAKING);
            }
            assertThat(pair.client.failure).isNull();
            assertThat(pair.server.failure).isNull();
            if (choppy) {
                assertThat(pair.client.writePending.get() + pair.server.writePending.get())
                        .isPositive();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void closeNotifyEndsTheInputCleanly(String protocol) throws IOException {
        try (TlsPair pair = TlsPair.builder(server(protocol), client(protocol)).open()) {
            pair.handshake();
            pair.client.output.writeBinary("last words".getBytes(StandardCharsets.US_ASCII));
            pair.client.output.flush();
            pair.driveUntil(() -> pair.client.output.len() == 0);
            assertThat(pair.client.session.closeOutbound()).isTrue();
            pair.driveUntil(() -> pair.server.inputEnded || pair.server.failure != null);
            assertThat(pair.server.failure).isNull();
            assertThat(pair.server.input.readString(pair.server.input.len())).isEqualTo("last words");
            assertThat(pair.server.session.isInboundDone()).isTrue();
            assertThat(pair.server.session.read(1024)).isEqualTo(-1);
            try (LinkBuffer more = bufferWith("more")) {
                assertThatThrownBy(() -> pair.client.session.flush(more)).isInstanceOf(SSLException.class);
            }
        }
    }

    @Test
    void endOfStreamWithoutCloseNotifyIsTruncation() throws IOException {
        try (TlsPair pair =
                TlsPair.builder(server("TLSv1.3"), client("TLSv1.3")).open()) {
            pair.handshake();
            byte[] data = pattern(20_000, 9);
            transfer(pair, pair.client, pair.server, data);
            pair.client.output.writeBinary("tail".getBytes(StandardCharsets.US_ASCII));
            pair.client.output.flush();
            pair.driveUntil(() -> pair.client.output.len() == 0);
            pair.client.socket.shutdownOutput(); // FIN, no close_notify
            pair.driveUntil(() -> pair.server.failure != null);
            assertThat(pair.server.failure).isInstanceOf(TlsTruncationException.class);
            // What came before the cut was delivered.
            assertThat(pair.server.input.readString(4)).isEqualTo("tail");
        }
    }

    @Test
    void aResetMidRecordIsTheChannelsError() throws IOException {
        try (TlsPair pair =
                TlsPair.builder(server("TLSv1.3"), client("TLSv1.3")).open()) {
            pair.handshake();
            // Part of a record, then a reset (SO_LINGER 0).
            pair.client.socket.write(ByteBuffer.wrap(new byte[] {23, 3, 3, 0, 100, 1, 2, 3}));
            pair.client.socket.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            pair.client.socket.close();
            pair.driveUntil(() -> pair.server.failure != null);
            assertThat(pair.server.failure).isInstanceOf(IOException.class);
        }
    }

    @Test
    void rotatedKeyMaterialIsUsedByNewSessionsOnly() throws IOException {
        AtomicReference<SSLContext> current = new AtomicReference<>(TestTls.serverContext("localhost"));
        TlsConfig s = TlsConfig.server(current::get).build();
        TlsConfig c = TlsConfig.client(TestTls.clientContext())
                .hostnameVerification(false)
                .build();
        try (TlsPair before = TlsPair.builder(s, c).open()) {
            before.handshake();
            current.set(TestTls.serverContext("other-name"));
            try (TlsPair after = TlsPair.builder(s, c).open()) {
                after.handshake();
                assertThat(cn(after.client.session.info().peerCertificates().get(0)))
                        .isEqualTo("CN=other-name");
            }
            // The open one keeps its engine, and so its material, and keeps working.
            assertThat(cn(before.client.session.info().peerCertificates().get(0)))
                    .isEqualTo("CN=localhost");
            byte[] m = "still here".getBytes(StandardCharsets.US_ASCII);
            assertThat(transfer(before, before.client, before.server, m)).isEqualTo(m);
        }
    }

    private static LinkBuffer bufferWith(String s) {
        LinkBuffer b = new LinkBuffer();
        b.writeString(s);
        b.flush();
        return b;
    }

    /** A real ClientHello from a JDK client engine. */
    static byte[] clientHello() throws IOException {
        SSLEngine e = TlsConfig.client(TestTls.clientContext()).build().newEngine("localhost", 443);
        e.beginHandshake();
        ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
        e.wrap(ByteBuffer.allocate(0), out);
        return Arrays.copyOf(out.array(), out.position());
    }
}
