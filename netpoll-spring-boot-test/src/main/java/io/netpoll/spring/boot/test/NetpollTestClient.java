package io.netpoll.spring.boot.test;

import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServers;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.util.Assert;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A blocking client for the netpoll servers of a test's application context, in the spirit of
 * {@code WebTestClient}: {@link #dial(String) dial} a server by name, send bytes or text, and
 * read a reply: some bytes, a line, a length-prefixed frame, or the end of the stream. Plain
 * JDK sockets, not netpoll: the client under test is not the one testing it.
 * <p>
 * In a {@code @SpringBootTest} the bean {@code netpollTestClient} is there to inject. Every read
 * waits at most the {@link #withTimeout timeout} (5 seconds unless set) and then fails with an
 * {@link AssertionError}, so a server that never answers fails the test instead of hanging it.
 * Results are plain {@code String}s and {@code byte[]}s for AssertJ.
 * <p>
 * The client is immutable and thread-safe; each {@link Session} is one connection, for one
 * thread, closed by the caller (try-with-resources). Servers listening on all interfaces are
 * dialled on the loopback address. TCP only.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public final class NetpollTestClient {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * The longest frame {@link Session#readFrame()} accepts (64 MB).
     */
    public static final int MAX_FRAME_LENGTH = 64 * 1024 * 1024;

    /**
     * The longest line {@link Session#readLine()} accepts (1 MB).
     */
    public static final int MAX_LINE_LENGTH = 1024 * 1024;

    private final ObjectProvider<NetpollServers> servers;

    private final Duration timeout;

    /**
     * Create a client for the servers of a context.
     * @param servers the context's servers
     */
    @Autowired
    public NetpollTestClient(ObjectProvider<NetpollServers> servers) {
        this(servers, DEFAULT_TIMEOUT);
    }

    private NetpollTestClient(ObjectProvider<NetpollServers> servers, Duration timeout) {
        this.servers = servers;
        this.timeout = timeout;
    }

    /**
     * A client whose connects and reads wait at most this long.
     * @param timeout the timeout, positive
     * @return a new client
     */
    public NetpollTestClient withTimeout(Duration timeout) {
        Assert.isTrue(!timeout.isNegative() && !timeout.isZero(), "'timeout' must be positive");
        return new NetpollTestClient(this.servers, timeout);
    }

    /**
     * Connect to the default server ({@code netpoll.server.*}).
     * @return the connection
     */
    public Session dial() {
        return dial(NetpollServer.DEFAULT_NAME);
    }

    /**
     * Connect to a server of the context.
     * @param serverName the server name
     * @return the connection
     * @throws AssertionError if the server is unknown, not listening, or refuses the connection
     */
    public Session dial(String serverName) {
        NetpollServers servers = this.servers.getIfAvailable();
        NetpollServer server = (servers != null) ? servers.get(serverName) : null;
        if (server == null) {
            throw new AssertionError("No netpoll server '" + serverName + "' in the context (servers: "
                    + ((servers != null) ? servers.asMap().keySet() : "none") + ")");
        }
        SocketAddress local = server.getLocalAddress();
        if (!(local instanceof InetSocketAddress inet) || !server.isListening()) {
            throw new AssertionError("Netpoll server '" + serverName + "' is not listening on TCP: " + server);
        }
        InetAddress address =
                inet.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : inet.getAddress();
        return dial(new InetSocketAddress(address, inet.getPort()));
    }

    /**
     * Connect to an address (a netpoll server of another context, a proxy's upstream).
     * @param address the address
     * @return the connection
     */
    public Session dial(InetSocketAddress address) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, (int) this.timeout.toMillis());
            socket.setSoTimeout((int) this.timeout.toMillis());
            return new Session(socket, this.timeout);
        } catch (IOException ex) {
            closeQuietly(socket);
            throw new AssertionError("Could not connect to " + address + ": " + ex, ex);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ex) {
            // closing after a failure: the failure is what matters
        }
    }

    /**
     * One connection. Not thread-safe. Methods throw {@link AssertionError} when the peer does
     * not answer within the timeout or closes early, and {@link UncheckedIOException} on other
     * I/O errors.
     */
    public static final class Session implements AutoCloseable {

        private final Socket socket;

        private final Duration timeout;

        private final InputStream in;

        private final OutputStream out;

        Session(Socket socket, Duration timeout) throws IOException {
            this.socket = socket;
            this.timeout = timeout;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /**
         * Send bytes.
         * @param bytes the bytes
         * @return this session
         */
        public Session send(byte[] bytes) {
            try {
                this.out.write(bytes);
                this.out.flush();
                return this;
            } catch (IOException ex) {
                throw new UncheckedIOException("send failed", ex);
            }
        }

        /**
         * Send text as UTF-8.
         * @param text the text
         * @return this session
         */
        public Session send(String text) {
            return send(text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Send a line: the text and {@code "\r\n"}.
         * @param line the line, without terminator
         * @return this session
         */
        public Session sendLine(String line) {
            return send(line + "\r\n");
        }

        /**
         * Send a frame: a 4-byte big-endian length, then the payload.
         * @param payload the payload
         * @return this session
         */
        public Session sendFrame(byte[] payload) {
            byte[] frame = new byte[4 + payload.length];
            frame[0] = (byte) (payload.length >>> 24);
            frame[1] = (byte) (payload.length >>> 16);
            frame[2] = (byte) (payload.length >>> 8);
            frame[3] = (byte) payload.length;
            System.arraycopy(payload, 0, frame, 4, payload.length);
            return send(frame);
        }

        /**
         * Read exactly {@code n} bytes.
         * @param n how many
         * @return the bytes
         */
        public byte[] read(int n) {
            byte[] bytes = new byte[n];
            try {
                new DataInputStream(this.in).readFully(bytes);
                return bytes;
            } catch (IOException ex) {
                throw failure("reading " + n + " bytes", ex);
            }
        }

        /**
         * Read exactly {@code n} bytes as UTF-8 text.
         * @param n how many bytes
         * @return the text
         */
        public String readString(int n) {
            return readString(n, StandardCharsets.UTF_8);
        }

        /**
         * Read exactly {@code n} bytes as text.
         * @param n how many bytes
         * @param charset the charset
         * @return the text
         */
        public String readString(int n, Charset charset) {
            return new String(read(n), charset);
        }

        /**
         * Read a line (UTF-8) ended by {@code "\n"} or {@code "\r\n"}, without its terminator.
         * @return the line
         */
        public String readLine() {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try {
                int b;
                while ((b = this.in.read()) != '\n') {
                    if (b < 0) {
                        throw new AssertionError("Connection closed by the server before the end of a line (read: \""
                                + line.toString(StandardCharsets.UTF_8) + "\")");
                    }
                    line.write(b);
                    if (line.size() > MAX_LINE_LENGTH) {
                        throw new AssertionError("No end of line within " + MAX_LINE_LENGTH + " bytes");
                    }
                }
            } catch (IOException ex) {
                throw failure("reading a line", ex);
            }
            byte[] bytes = line.toByteArray();
            int length = (bytes.length > 0 && bytes[bytes.length - 1] == '\r') ? bytes.length - 1 : bytes.length;
            return new String(bytes, 0, length, StandardCharsets.UTF_8);
        }

        /**
         * Read a frame: a 4-byte big-endian length, then that many bytes.
         * @return the payload
         */
        public byte[] readFrame() {
            byte[] header = read(4);
            int length = ((header[0] & 0xff) << 24)
                    | ((header[1] & 0xff) << 16)
                    | ((header[2] & 0xff) << 8)
                    | (header[3] & 0xff);
            if (length < 0 || length > MAX_FRAME_LENGTH) {
                // A broken (or hostile) server must fail the test, not exhaust its heap.
                throw new AssertionError("Frame length " + length + " is negative or above " + MAX_FRAME_LENGTH);
            }
            return read(length);
        }

        /**
         * Wait until the server closes the connection, failing on any byte it still sends.
         */
        public void expectClosed() {
            try {
                int b = this.in.read();
                if (b >= 0) {
                    throw new AssertionError("Expected the server to close the connection, it sent a byte: " + b);
                }
            } catch (IOException ex) {
                if (ex instanceof SocketTimeoutException) {
                    throw failure("waiting for the server to close", ex);
                }
                // a reset is a close too
            }
        }

        private RuntimeException failure(String what, IOException ex) {
            if (ex instanceof SocketTimeoutException) {
                throw new AssertionError("No reply within " + this.timeout.toMillis() + " ms while " + what, ex);
            }
            if (ex instanceof EOFException) {
                throw new AssertionError("Connection closed by the server while " + what, ex);
            }
            return new UncheckedIOException(what, ex);
        }

        /**
         * The local address of this connection (what the server sees as its peer).
         * @return the address
         */
        public SocketAddress localAddress() {
            return this.socket.getLocalSocketAddress();
        }

        @Override
        public void close() {
            closeQuietly(this.socket);
        }
    }
}
