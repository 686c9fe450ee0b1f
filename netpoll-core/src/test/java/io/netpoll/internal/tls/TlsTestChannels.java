package io.netpoll.internal.tls;

import io.netpoll.buffer.LinkBuffer;
import io.netpoll.tls.TlsConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/** A raw loopback socket pair (a hostile or scripted peer on the client end). */
final class SocketChannelPair implements AutoCloseable {
    final SocketChannel client;
    final SocketChannel server;

    private SocketChannelPair(SocketChannel client, SocketChannel server) {
        this.client = client;
        this.server = server;
    }

    static SocketChannelPair open() throws IOException {
        SocketChannel[] p = TlsPair.socketPair();
        p[1].configureBlocking(false);
        return new SocketChannelPair(p[0], p[1]);
    }

    @Override
    public void close() throws IOException {
        client.close();
        server.close();
    }
}

/** One session on a socket, driven by the test thread with tasks run inline. */
final class TlsLone implements AutoCloseable {
    final TlsSession session;
    final LinkBuffer input = new LinkBuffer();

    private TlsLone(SocketChannel ch, TlsConfig config) {
        session = new TlsSession(
                config.newEngine(null, 0),
                config.handshakeTimeout(),
                ch,
                ch,
                input,
                CipherBlocks.shared(),
                Runnable::run,
                new NoHost());
    }

    static TlsLone server(SocketChannel ch, TlsConfig config) {
        return new TlsLone(ch, config);
    }

    /** Steps the handshake while it returns {@code waiting}, bounded; returns the other step. */
    TlsSession.Step handshakeUntilNot(TlsSession.Step waiting) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        TlsSession.Step s;
        while ((s = session.handshake()) == waiting) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("handshake stuck at " + s);
            }
            Thread.onSpinWait();
        }
        return s;
    }

    @Override
    public void close() {
        session.free();
        input.close();
    }
}

/** Hands out its bytes once, then has nothing more (a peer that went quiet). */
final class BytesThenNothing implements ReadableByteChannel {
    private final ByteBuffer bytes;

    BytesThenNothing(byte[] b) {
        bytes = ByteBuffer.wrap(b);
    }

    @Override
    public int read(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), bytes.remaining());
        if (n == 0) {
            return 0;
        }
        ByteBuffer part = bytes.slice(bytes.position(), n);
        dst.put(part);
        bytes.position(bytes.position() + n);
        return n;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {}
}

/** Takes every byte and forgets it. */
final class NullSink implements GatheringByteChannel {
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += srcs[i].remaining();
            srcs[i].position(srcs[i].limit());
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs) {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        src.position(src.limit());
        return n;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {}
}

final class NoHost implements TlsSession.Host {
    @Override
    public void tasksDone() {}

    @Override
    public void writePending() {}
}
