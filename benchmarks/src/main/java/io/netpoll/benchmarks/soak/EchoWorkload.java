package io.netpoll.benchmarks.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Persistent connections to the echo server, one per thread: each round trip writes a random
 * payload (1 B to {@value #MAX_PAYLOAD} B) and reads it back, and every byte is compared. A
 * connection that failed is counted as an error and replaced.
 */
final class EchoWorkload extends Workload {

    /** Written before reading the answer, so it must fit the socket buffers on both sides. */
    static final int MAX_PAYLOAD = 64 * 1024;

    private final int port;
    private final long seed;

    EchoWorkload(String host, int port, int connections, Duration ioTimeout, long seed) {
        super("echo", "round trips", connections, host, ioTimeout);
        this.port = port;
        this.seed = seed;
    }

    @Override
    protected void run(int index) {
        SplittableRandom rnd = new SplittableRandom(seed * 31 + index);
        byte[] sent = new byte[MAX_PAYLOAD];
        byte[] received = new byte[MAX_PAYLOAD];
        Socket socket = null;
        while (!stopping()) {
            try {
                if (socket == null) {
                    socket = connect(port);
                }
                int n = Payloads.size(rnd, MAX_PAYLOAD);
                Payloads.fill(rnd, sent, n);
                roundTrip(socket, sent, received, n);
                completed(1);
            } catch (IOException | VerificationException e) {
                error("echo round trip", e);
                closeQuietly(socket);
                socket = null;
            }
        }
        closeQuietly(socket);
    }

    /** Writes {@code sent[0..n)}, reads {@code n} bytes back and checks they are the same. */
    static void roundTrip(Socket socket, byte[] sent, byte[] received, int n)
            throws IOException, VerificationException {
        OutputStream out = socket.getOutputStream();
        out.write(sent, 0, n);
        readFully(socket.getInputStream(), received, n);
        int at = Arrays.mismatch(sent, 0, n, received, 0, n);
        if (at >= 0) {
            throw new VerificationException("echo of " + n + " bytes differs at byte " + at + ": sent "
                    + (sent[at] & 0xff) + ", got " + (received[at] & 0xff));
        }
    }

    static void readFully(InputStream in, byte[] into, int n) throws IOException, VerificationException {
        int off = 0;
        while (off < n) {
            int r = in.read(into, off, n - off);
            if (r < 0) {
                throw new VerificationException("connection closed after " + off + " of " + n + " echoed bytes");
            }
            off += r;
        }
    }
}
