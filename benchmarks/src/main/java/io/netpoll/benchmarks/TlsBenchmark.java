package io.netpoll.benchmarks;

import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.internal.tls.TlsSession;
import io.netpoll.tls.TlsConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * Issue 12: the cost of moving one message through TLS, client wrap + server unwrap, with the
 * JDK's engine on both sides (TLS 1.3, the JDK's default suite, test-only EC P-256 keys).
 *
 * <ul>
 *   <li>{@code netpoll}: {@link TlsSession}s over an in-memory pipe. Per message: {@code malloc}
 *       in the client's output + flush (reserved, not filled: no payload copy), the session wraps
 *       views of the output's nodes into a pooled heap ciphertext block and writes it to the pipe;
 *       the server session reads the pipe into its staging and unwraps into its input's nodes,
 *       which are skipped and released.</li>
 *   <li>{@code netty}: two {@link EmbeddedChannel}s with {@link SslHandler} over JDK engines made
 *       from the same contexts. Per message: a pooled direct buffer (reserved, not filled) written
 *       and flushed on the client, its outbound ciphertext written inbound to the server, the
 *       plaintext read and released.</li>
 *   <li>{@code netpollPipeOnly}: what the in-memory pipe alone costs netpoll (copying the
 *       ciphertext in and out, as a socket's kernel would). Netty's embedded channels hand the
 *       ciphertext buffer over without copying, so subtract this from {@code netpoll} for a
 *       like-for-like comparison; over real sockets both pay the kernel's copies.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 2,
        jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Dnetpoll.leakDetection.level=disabled"})
@State(Scope.Thread)
public class TlsBenchmark {

    @Param({"1024", "16384"})
    public int size;

    private LinkBuffer clientOut;
    private LinkBuffer serverIn;
    private TlsSession client;
    private TlsSession server;
    private MemoryPipe toServer;
    private MemoryPipe toClient;
    private ByteBuffer pipeScratch;

    private EmbeddedChannel nettyClient;
    private EmbeddedChannel nettyServer;
    private PooledByteBufAllocator alloc;

    @Setup
    public void setup() throws IOException {
        SSLContext serverContext = context(true);
        SSLContext clientContext = context(false);
        TlsConfig serverConfig =
                TlsConfig.server(serverContext).protocols("TLSv1.3").build();
        TlsConfig clientConfig =
                TlsConfig.client(clientContext).protocols("TLSv1.3").build();

        BufferPool pool = BufferPool.defaultPool();
        toServer = new MemoryPipe();
        toClient = new MemoryPipe();
        clientOut = new LinkBuffer(pool);
        serverIn = new LinkBuffer(pool);
        LinkBuffer clientIn = new LinkBuffer(pool);
        TlsSession.Host host = new TlsSession.Host() {
            @Override
            public void tasksDone() {}

            @Override
            public void writePending() {}
        };
        client = TlsSession.open(clientConfig, "localhost", 443, toClient, toServer, clientIn, Runnable::run, host);
        server = TlsSession.open(serverConfig, null, 0, toServer, toClient, serverIn, Runnable::run, host);
        for (int i = 0; i < 1000 && !(client.isHandshakeDone() && server.isHandshakeDone()); i++) {
            client.handshake();
            server.handshake();
        }
        if (!client.isHandshakeDone() || !server.isHandshakeDone()) {
            throw new IllegalStateException("netpoll TLS handshake did not complete");
        }
        // The server's session ticket and anything else in flight.
        server.flush(null);
        client.read(1 << 20);
        clientIn.close();
        pipeScratch = ByteBuffer.allocateDirect(64 * 1024);

        alloc = PooledByteBufAllocator.DEFAULT;
        SSLEngine se = serverConfig.newEngine(null, 0);
        SSLEngine ce = clientConfig.newEngine("localhost", 443);
        nettyServer = new EmbeddedChannel(new SslHandler(se));
        nettyClient = new EmbeddedChannel(new SslHandler(ce));
        SslHandler ch = nettyClient.pipeline().get(SslHandler.class);
        SslHandler sh = nettyServer.pipeline().get(SslHandler.class);
        for (int i = 0;
                i < 1000
                        && !(ch.handshakeFuture().isDone()
                                && sh.handshakeFuture().isDone());
                i++) {
            shuttle(nettyClient, nettyServer);
            shuttle(nettyServer, nettyClient);
        }
        if (!ch.handshakeFuture().isSuccess() || !sh.handshakeFuture().isSuccess()) {
            throw new IllegalStateException(
                    "Netty TLS handshake failed", ch.handshakeFuture().cause());
        }
        shuttle(nettyServer, nettyClient);
        drainInbound(nettyClient);
    }

    @TearDown
    public void tearDown() {
        client.free();
        server.free();
        clientOut.close();
        serverIn.close();
        nettyClient.finishAndReleaseAll();
        nettyServer.finishAndReleaseAll();
    }

    @Benchmark
    public int netpoll() throws IOException {
        clientOut.malloc(size);
        clientOut.flush();
        if (client.flush(clientOut) != TlsSession.FLUSHED) {
            throw new IllegalStateException("flush blocked");
        }
        int n = server.read(1 << 20);
        serverIn.skip(n);
        serverIn.release();
        return n;
    }

    @Benchmark
    public int netty() {
        ByteBuf m = alloc.directBuffer(size);
        m.writerIndex(size);
        nettyClient.writeAndFlush(m);
        shuttle(nettyClient, nettyServer);
        return drainInbound(nettyServer);
    }

    @Benchmark
    public int netpollPipeOnly() throws IOException {
        // About what one message's records occupy: the payload plus 22 bytes per 16 KiB record.
        int cipher = size + 22 * ((size + 16383) / 16384);
        pipeScratch.clear().limit(cipher);
        toServer.write(new ByteBuffer[] {pipeScratch}, 0, 1);
        pipeScratch.clear().limit(cipher);
        return toServer.read(pipeScratch);
    }

    private static void shuttle(EmbeddedChannel from, EmbeddedChannel to) {
        ByteBuf b;
        while ((b = from.readOutbound()) != null) {
            to.writeInbound(b);
        }
    }

    private static int drainInbound(EmbeddedChannel ch) {
        int n = 0;
        ByteBuf b;
        while ((b = ch.readInbound()) != null) {
            n += b.readableBytes();
            b.release();
        }
        return n;
    }

    /** A one-thread byte pipe in direct memory: what is written is read back in order. */
    static final class MemoryPipe implements GatheringByteChannel, ReadableByteChannel {
        private final ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20);

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            long n = 0;
            for (int i = offset; i < offset + length && buf.hasRemaining(); i++) {
                ByteBuffer s = srcs[i];
                int k = Math.min(s.remaining(), buf.remaining());
                buf.put(buf.position(), s, s.position(), k);
                buf.position(buf.position() + k);
                s.position(s.position() + k);
                n += k;
            }
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) {
            return (int) write(new ByteBuffer[] {src}, 0, 1);
        }

        @Override
        public int read(ByteBuffer dst) {
            int k = Math.min(dst.remaining(), buf.position());
            if (k == 0) {
                return 0;
            }
            dst.put(dst.position(), buf, 0, k);
            dst.position(dst.position() + k);
            int left = buf.position() - k;
            buf.put(0, buf, k, left);
            buf.position(left);
            return k;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    /** Test-only material from this module's resources (see resources/tls/README.md). */
    static SSLContext context(boolean server) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            KeyManagerFactory kmf = null;
            if (server) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                String pem = new String(resource("localhost.key"), StandardCharsets.US_ASCII)
                        .replaceAll("-----[A-Z ]+-----", "")
                        .replaceAll("\\s", "");
                ks.setKeyEntry(
                        "localhost",
                        KeyFactory.getInstance("EC")
                                .generatePrivate(new PKCS8EncodedKeySpec(
                                        Base64.getDecoder().decode(pem))),
                        new char[0],
                        cf.generateCertificates(new ByteArrayInputStream(resource("localhost.pem")))
                                .toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
            }
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", cf.generateCertificate(new ByteArrayInputStream(resource("ca.pem"))));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot load the benchmark's TLS material", e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = TlsBenchmark.class.getResourceAsStream("/tls/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource tls/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
