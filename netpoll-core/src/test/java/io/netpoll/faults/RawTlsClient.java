package io.netpoll.faults;

import io.netpoll.testing.TestTls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * A blocking TLS client over a plain {@link Socket} and the JDK's {@link SSLEngine}, for the
 * fault scenarios that need the ciphertext in hand, which an {@code SSLSocket} never gives:
 * records sent a byte at a time, half a record then a reset, a corrupted record. The test
 * seals plaintext into records ({@link #seal}) and writes their bytes as it likes
 * ({@link #writeRaw}). Trusts the test CA; 127.0.0.1 only. One thread at a time.
 */
final class RawTlsClient implements AutoCloseable {
    final Socket socket;
    private final SSLEngine engine;
    /** Ciphertext read and not yet unwrapped (read mode). */
    private ByteBuffer netIn;
    /** Plaintext unwrapped and not yet returned (read mode). */
    private ByteBuffer appIn;

    private boolean closeNotifyReceived;

    private RawTlsClient(Socket socket, SSLEngine engine) {
        this.socket = socket;
        this.engine = engine;
        this.netIn =
                ByteBuffer.allocate(engine.getSession().getPacketBufferSize()).flip();
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize())
                .flip();
    }

    /** Connects to 127.0.0.1:{@code port} and completes the handshake. */
    static RawTlsClient connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(20_000);
            SSLEngine engine = TestTls.clientContext().createSSLEngine("localhost", port);
            engine.setUseClientMode(true);
            RawTlsClient c = new RawTlsClient(s, engine);
            c.handshake();
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void handshake() throws IOException {
        engine.beginHandshake();
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> writeRaw(wrap(ByteBuffer.allocate(0)));
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrapOnce()) {
                        throw new SSLException("closed during the handshake");
                    }
                }
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                }
                default -> {
                    return; // FINISHED or NOT_HANDSHAKING
                }
            }
        }
    }

    /** {@code plaintext} as TLS records (one per 16 KiB), ready to write. */
    byte[] seal(byte[] plaintext) throws IOException {
        return wrap(ByteBuffer.wrap(plaintext));
    }

    /** The {@code close_notify} alert, ready to write. */
    byte[] closeNotify() throws IOException {
        engine.closeOutbound();
        return wrap(ByteBuffer.allocate(0));
    }

    private byte[] wrap(ByteBuffer src) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer dst = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        do {
            dst.clear();
            SSLEngineResult r = engine.wrap(src, dst);
            if (r.getStatus() != SSLEngineResult.Status.OK && r.getStatus() != SSLEngineResult.Status.CLOSED) {
                throw new SSLException("wrap: " + r);
            }
            out.write(dst.array(), 0, dst.position());
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                break;
            }
        } while (src.hasRemaining());
        return out.toByteArray();
    }

    void writeRaw(byte[] bytes) throws IOException {
        writeRaw(bytes, 0, bytes.length);
    }

    void writeRaw(byte[] bytes, int offset, int length) throws IOException {
        socket.getOutputStream().write(bytes, offset, length);
        socket.getOutputStream().flush();
    }

    /** {@code n} bytes of plaintext, or fewer if the peer ended first. */
    byte[] read(int n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        while (out.size() < n) {
            if (appIn.hasRemaining()) {
                int k = Math.min(appIn.remaining(), n - out.size());
                out.write(appIn.array(), appIn.position(), k);
                appIn.position(appIn.position() + k);
            } else if (!unwrapOnce()) {
                break;
            }
        }
        return out.toByteArray();
    }

    /**
     * How the peer ended, after any plaintext still to come (counted, not kept): {@code true}
     * for {@code close_notify}, {@code false} for an end of stream or a reset without it.
     */
    boolean endsWithCloseNotify() throws IOException {
        try {
            while (unwrapOnce()) {
                appIn.position(appIn.limit());
            }
        } catch (SocketException reset) {
            return closeNotifyReceived;
        }
        return closeNotifyReceived;
    }

    /** Unwraps one record into {@link #appIn}, reading from the socket as needed; false at the end. */
    private boolean unwrapOnce() throws IOException {
        while (true) {
            ByteBuffer dst = ByteBuffer.allocate(Math.max(appIn.capacity(), 1 << 15));
            SSLEngineResult r = engine.unwrap(netIn, dst);
            dst.flip();
            if (dst.hasRemaining()) {
                ByteBuffer merged = ByteBuffer.allocate(appIn.remaining() + dst.remaining());
                merged.put(appIn).put(dst).flip();
                appIn = merged;
            }
            switch (r.getStatus()) {
                case CLOSED -> {
                    closeNotifyReceived = true;
                    return false;
                }
                case BUFFER_UNDERFLOW -> {
                    if (!fill()) {
                        return false;
                    }
                }
                case OK -> {
                    return true;
                }
                default -> throw new SSLException("unwrap: " + r);
            }
        }
    }

    /** Reads more ciphertext; false at the end of the stream. */
    private boolean fill() throws IOException {
        netIn.compact();
        if (!netIn.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(netIn.capacity() * 2);
            netIn.flip();
            bigger.put(netIn);
            netIn = bigger;
        }
        InputStream in = socket.getInputStream();
        int n = in.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
        if (n > 0) {
            netIn.position(netIn.position() + n);
        }
        netIn.flip();
        return n > 0;
    }

    /** Closes with a reset (SO_LINGER 0): no {@code close_notify}, no FIN. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
