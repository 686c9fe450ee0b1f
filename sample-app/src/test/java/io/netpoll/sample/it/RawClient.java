package io.netpoll.sample.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A plain blocking socket client for byte-exact tests (bounded by a read timeout, never by sleeps). */
final class RawClient implements AutoCloseable {

    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    RawClient send(String s) throws IOException {
        return send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads exactly {@code n} bytes (ISO-8859-1). */
    String read(int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    /** Reads as many bytes as {@code expected} has and returns them, to compare. */
    String readLike(String expected) throws IOException {
        return read(expected.length());
    }

    /** Half-closes: sends our FIN ({@code shutdown(SHUT_WR)}), as {@code redis-cli} does after a piped script; still reads. */
    RawClient shutdownOutput() throws IOException {
        socket.shutdownOutput();
        return this;
    }

    /** Reads until the server closes the connection. */
    String readToEnd() throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        in.transferTo(o);
        return o.toString(StandardCharsets.ISO_8859_1);
    }

    /** The client's local port: the server sees it as the peer's port. */
    int localPort() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
