package io.netpoll.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;

/**
 * Blocking-socket helpers for tests that play a misbehaving or unlucky peer: the server may close
 * (or reset) at any moment, and the peer must observe that rather than fail. Shared with the
 * sample's fault tests through netpoll-core's test-jar.
 */
public final class PeerIo {

    private PeerIo() {}

    /** How a connection ended for the client: the bytes it got, and whether the end was a reset rather than EOF. */
    public record Ending(byte[] bytes, boolean reset) {}

    /**
     * Reads until the server ends the connection: EOF, or a reset (a server that closes with
     * unread input makes TCP send a reset, after the bytes it had already sent).
     */
    public static Ending readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            return new Ending(out.toByteArray(), true);
        }
        return new Ending(out.toByteArray(), false);
    }

    /** Reads {@code n} bytes, or fewer if the server ends the connection first (EOF or reset). */
    public static byte[] readUpTo(InputStream in, int n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[Math.min(n, 8192)];
        try {
            while (out.size() < n) {
                int r = in.read(buf, 0, Math.min(buf.length, n - out.size()));
                if (r < 0) {
                    break;
                }
                out.write(buf, 0, r);
            }
        } catch (SocketException reset) {
            // ended by a reset
        }
        return out.toByteArray();
    }

    /** Writes, ignoring a reset or broken pipe (the server may close first); false if it failed. */
    public static boolean writeQuietly(OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
            return true;
        } catch (IOException closedByServer) {
            return false;
        }
    }
}
