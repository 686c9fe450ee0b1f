package io.netpoll.internal.tls;

import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.tls.TlsConfig;

import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One side of a TLS test connection: a socket, a session, the plaintext input and output buffers,
 * and a step function that does what the connection's input pump and flusher will do. Used by
 * one test thread; delegated tasks run on the executor given and wake the selector.
 */
final class TlsPeer implements TlsSession.Host, AutoCloseable {

    final String name;
    final SocketChannel socket;
    final SSLEngine engine;
    final LinkBuffer input;
    final LinkBuffer output;
    final TlsSession session;
    final AtomicInteger tasksDone = new AtomicInteger();
    final AtomicInteger writePending = new AtomicInteger();
    final AtomicLong cipherWritten = new AtomicLong();
    /** Ciphertext reads the session made, and those of them that found nothing. */
    final AtomicInteger reads = new AtomicInteger();

    final AtomicInteger emptyReads = new AtomicInteger();
    private final Selector selector;

    TlsSession.Step step;
    boolean done;
    /** The first failure of this side's handshake, read or flush. */
    Exception failure;
    /** The input reported -1 (close_notify received). */
    boolean inputEnded;

    TlsPeer(
            String name,
            SocketChannel socket,
            SSLEngine engine,
            TlsConfig config,
            BufferPool pool,
            CipherBlocks blocks,
            Executor tasks,
            Selector selector,
            boolean oneByteReads,
            boolean choppyWrites) {
        this.name = name;
        this.socket = socket;
        this.selector = selector;
        this.engine = engine;
        this.input = new LinkBuffer(pool);
        this.output = new LinkBuffer(pool);
        ReadableByteChannel source = new CountingSource(oneByteReads ? new OneByteReads(socket) : socket);
        GatheringByteChannel sink = new CountingSink(socket, choppyWrites);
        this.session = new TlsSession(engine, config.handshakeTimeout(), source, sink, input, blocks, tasks, this);
    }

    @Override
    public void tasksDone() {
        tasksDone.incrementAndGet();
        selector.wakeup();
    }

    @Override
    public void writePending() {
        writePending.incrementAndGet();
    }

    /** One turn of pump and flusher; true if something moved. Failures are kept in {@link #failure}. */
    boolean turn() {
        if (failure != null) {
            return false;
        }
        try {
            if (!done) {
                step = session.handshake();
                if (step != TlsSession.Step.DONE) {
                    return step == TlsSession.Step.NEED_WRITE ? session.flushPending() : false;
                }
                done = true;
            }
            boolean moved = false;
            if (!inputEnded) {
                int n = session.read(64 * 1024);
                if (n < 0) {
                    inputEnded = true;
                    moved = true;
                } else if (n > 0) {
                    moved = true;
                }
            }
            long before = cipherWritten.get();
            if (output.len() > 0 || session.holdsStaging()) {
                int left = output.len();
                session.flush(output);
                moved |= output.len() != left;
            }
            session.flushPending();
            return moved || cipherWritten.get() != before;
        } catch (Exception e) {
            failure = e;
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        session.free();
        input.close();
        output.close();
        socket.close();
    }

    /** Hands the session one byte per read: every record split at every byte. */
    static final class OneByteReads implements ReadableByteChannel {
        private final ReadableByteChannel in;
        private final ByteBuffer one = ByteBuffer.allocate(1);

        OneByteReads(ReadableByteChannel in) {
            this.in = in;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!dst.hasRemaining()) {
                return 0;
            }
            one.clear();
            int n = in.read(one);
            if (n > 0) {
                dst.put(one.flip());
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return in.isOpen();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Counts the session's reads. */
    final class CountingSource implements ReadableByteChannel {
        private final ReadableByteChannel in;

        CountingSource(ReadableByteChannel in) {
            this.in = in;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = in.read(dst);
            reads.incrementAndGet();
            if (n == 0) {
                emptyReads.incrementAndGet();
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return in.isOpen();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Counts ciphertext written; when choppy, takes one byte, then reports a full socket, in turn. */
    final class CountingSink implements GatheringByteChannel {
        private final SocketChannel out;
        private final boolean choppy;
        private boolean full;

        CountingSink(SocketChannel out, boolean choppy) {
            this.out = out;
            this.choppy = choppy;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long n;
            if (!choppy) {
                n = out.write(srcs, offset, length);
            } else {
                full = !full;
                if (full) {
                    return 0;
                }
                n = 0;
                for (int i = offset; i < offset + length && n == 0; i++) {
                    ByteBuffer b = srcs[i];
                    if (b.hasRemaining()) {
                        int limit = b.limit();
                        b.limit(b.position() + 1);
                        try {
                            n = out.write(b);
                        } finally {
                            b.limit(limit);
                        }
                    }
                }
            }
            cipherWritten.addAndGet(n);
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return (int) write(new ByteBuffer[] {src}, 0, 1);
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
