package io.netpoll.faults;

import io.netpoll.Option;
import io.netpoll.ServerOption;
import io.netpoll.faults.Frames.Mode;
import io.netpoll.internal.tls.CipherBlocks;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.TlsConfig;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

/**
 * How a fault scenario's peers reach the server: plain TCP, or TLS ({@code Option.tls} on the
 * server, JDK {@code SSLSocket} or {@link RawTlsClient} peers). A scenario written once over a
 * {@code Transport} parameter runs on both; what only TLS has (records, the ciphertext staging of
 * {@link CipherBlocks}, handshakes) the scenario asks of the transport or checks on both (a
 * plaintext server must stage no ciphertext and count no handshake).
 */
enum Transport {
    PLAINTEXT,
    TLS;

    /** The server side of TLS: the test certificate for {@code localhost}. */
    static ServerOption tls(Duration handshakeTimeout) {
        return Option.tls(TlsConfig.server(TestTls.serverContext("localhost"))
                .handshakeTimeout(handshakeTimeout)
                .build());
    }

    /** {@code more}, then (TLS) the server's TLS option with a 10 s handshake timeout. */
    ServerOption[] options(ServerOption... more) {
        if (this == PLAINTEXT) {
            return more;
        }
        ServerOption[] all = Arrays.copyOf(more, more.length + 1);
        all[more.length] = tls(Duration.ofSeconds(10));
        return all;
    }

    /**
     * A peer connected to 127.0.0.1:{@code port} (TCP_NODELAY, 20 s read timeout, a small receive
     * buffer if {@code receiveBuffer > 0}), closed after the test: a plain socket, or an
     * {@code SSLSocket} that shakes hands at its first write or read.
     */
    Socket socket(TestNet net, int port, int receiveBuffer) throws IOException {
        if (this == PLAINTEXT) {
            return net.socket(port, receiveBuffer);
        }
        Socket s = net.peer(TestTls.clientContext().getSocketFactory().createSocket());
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer); // before connecting, as TestNet.socket says
        }
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    /** A fresh client is served: (handshake,) one frame's round trip, close. */
    boolean freshClientServed(int port, int seed) throws IOException {
        if (this == PLAINTEXT) {
            return Frames.freshClientServed(port, seed);
        }
        try (RawTlsClient c = RawTlsClient.connect(port)) {
            byte[] body = new byte[1 + Math.floorMod(seed, Frames.MAX_FRAME)];
            new Random(seed).nextBytes(body);
            byte[] f = Frames.frame(body);
            c.writeRaw(c.seal(f));
            return Arrays.equals(c.read(f.length), f);
        }
    }

    /** Ciphertext staged by all TLS connections of this JVM now: {@code CipherBlocks}' outstanding bytes. */
    static long stagedCipherBytes() {
        return CipherBlocks.shared().outstandingBytes();
    }

    /** Every {@link Mode} on each transport: the arguments {@code (Mode, Transport)}. */
    static Stream<Arguments> everyModeOnEach() {
        return Arrays.stream(values())
                .flatMap((transport) -> Arrays.stream(Mode.values()).map((mode) -> Arguments.of(mode, transport)));
    }
}
