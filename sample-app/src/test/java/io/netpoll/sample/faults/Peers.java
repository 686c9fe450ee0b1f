package io.netpoll.sample.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** What the fault scenarios' peers do with plain sockets: RESP requests, reads to the end, fresh clients. */
final class Peers {

    private Peers() {}

    /** One command as a RESP multibulk request. */
    static byte[] cmd(String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.ISO_8859_1);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        return b.toByteArray();
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Exactly {@code n} bytes, or an exception. */
    static byte[] read(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("EOF after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** A fresh client is served: a new connection, one request, the exact reply, closed. */
    static String exchange(int port, byte[] request, int replyLength) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.getOutputStream().write(request);
            return text(read(s.getInputStream(), replyLength));
        }
    }

    /** The kv server (directly or through the proxy) answers PING on a new connection. */
    static boolean kvServes(int port) throws IOException {
        return "+PONG\r\n".equals(exchange(port, cmd("PING"), 7));
    }

    /** The echo server echoes on a new connection. */
    static boolean echoServes(int port) throws IOException {
        return "hello, echo".equals(exchange(port, bytes("hello, echo"), 11));
    }
}
