package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.TestNet.pattern;
import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EchoTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    static java.util.stream.Stream<Arguments> modesAndSizes() {
        return java.util.Arrays.stream(HandlerMode.values())
                .flatMap(m -> java.util.stream.IntStream.of(1, 7, 4095, 4096, 4097, 65536, 1 << 20, 8 << 20)
                        .mapToObj(n -> Arguments.of(m, n)));
    }

    /** Modes whose handlers may wait in next(n) (inline handlers must not). */
    static java.util.stream.Stream<Arguments> blockingModesAndFrameSizes() {
        return java.util.stream.Stream.of(HandlerMode.ADAPTIVE, HandlerMode.WORKER)
                .flatMap(m -> java.util.stream.IntStream.of(1, 4097, 1 << 20).mapToObj(n -> Arguments.of(m, n)));
    }

    @ParameterizedTest
    @MethodSource("modesAndSizes")
    void echoesPayloadsFromOneByteToEightMiB(HandlerMode mode, int size) throws Exception {
        Server server = net.echoServer(Option.handlerMode(mode));
        Socket s = net.socket(server.port());
        byte[] payload = pattern(size, size);
        CompletableFuture<Void> writing = CompletableFuture.runAsync(
                () -> {
                    try {
                        s.getOutputStream().write(payload);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                },
                net.exec());
        byte[] back = readFully(s.getInputStream(), size);
        writing.get(20, TimeUnit.SECONDS);
        assertThat(back).isEqualTo(payload);
        // Counted after the read's bytes were handed over (a blocking handler may echo them first).
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(server.loop().stats().bytesIn()).isEqualTo(size));
    }

    @ParameterizedTest
    @MethodSource("blockingModesAndFrameSizes")
    void aHandlerMovesWholeFramesToTheOutputWithAppendWaitingForBytesStillToCome(HandlerMode mode, int size)
            throws Exception {
        Server server = net.startServer(
                (ctx, c) -> {
                    c.writer().append(c.reader(), size); // waits until the whole frame has arrived
                    c.writer().flush();
                },
                Option.handlerMode(mode));
        Socket s = net.socket(server.port());
        byte[] payload = pattern(2 * size, size + 1);
        CompletableFuture<Void> writing = CompletableFuture.runAsync(
                () -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        for (int at = 0; at < payload.length; at += 777) {
                            out.write(payload, at, Math.min(777, payload.length - at));
                            out.flush();
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                },
                net.exec());
        assertThat(readFully(s.getInputStream(), payload.length)).isEqualTo(payload);
        writing.get(20, TimeUnit.SECONDS);
    }

    @Test
    void echoesInInlineMode() throws Exception {
        Server server = net.echoServer(Option.inlineHandlers());
        Socket s = net.socket(server.port());
        for (int i = 0; i < 50; i++) {
            byte[] msg = pattern(100 + i * 1000, i);
            s.getOutputStream().write(msg);
            assertThat(readFully(s.getInputStream(), msg.length)).isEqualTo(msg);
        }
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void thousandConcurrentConnectionsWithVerifiedEchoes(HandlerMode mode) throws Exception {
        Server server = net.echoServer(Option.handlerMode(mode));
        Dialer dialer = net.dialer(Option.handlerMode(mode));
        int n = 1000;
        CountDownLatch verified = new CountDownLatch(n);
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] msg = pattern(64 + i % 200, i);
            Connection c = dialer.dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(5));
            conns.add(c);
            c.setOnRequest((ctx, conn) -> {
                if (conn.reader().len() < msg.length) {
                    return; // wait for the rest
                }
                byte[] got = conn.reader().readBinary(msg.length);
                if (!java.util.Arrays.equals(got, msg)) {
                    failures.add("mismatch on " + conn);
                }
                verified.countDown();
            });
            c.writer().writeBinary(msg);
            c.writer().flush();
        }
        assertThat(verified.await(30, TimeUnit.SECONDS))
                .as("all echoes verified")
                .isTrue();
        assertThat(failures).isEmpty();
        assertThat(server.loop().stats().connectionsAccepted()).isEqualTo(n);
        assertThat(dialer.stats().connectionsActive()).isEqualTo(n);
        conns.forEach(Connection::close);
    }

    @Test
    void unixSocketEcho(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("echo.sock");
        net.startServer("unix", sock.toString(), TestNet::echo);
        Connection c = net.dialer().dialConnection("unix", sock.toString(), Duration.ofSeconds(1));
        c.writer().writeString("over a unix socket");
        c.writer().flush();
        assertThat(c.reader().readString("over a unix socket".length())).isEqualTo("over a unix socket");
        c.close();
        // dialUnix, with the blocking-channel API
        try (Connection d =
                Netpoll.newDialer(Option.pollerGroup(net.group())).dialUnix(null, UnixDomainSocketAddress.of(sock))) {
            d.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            ByteBuffer dst = ByteBuffer.allocate(3);
            while (dst.hasRemaining()) {
                assertThat(d.read(dst)).isPositive();
            }
            assertThat(dst.array()).containsExactly(1, 2, 3);
        }
    }

    @Test
    void tcp6Echo() throws Exception {
        assumeTrue(hasIpv6Loopback(), "no IPv6 loopback");
        Server server = net.startServer("tcp6", "[::1]:0", TestNet::echo);
        assertThat(((InetSocketAddress) server.listener().localAddress()).getAddress())
                .isInstanceOf(Inet6Address.class);
        try (Connection c = net.dialer()
                .dialTCP("tcp6", null, new InetSocketAddress("::1", server.port()), Duration.ofSeconds(1))) {
            c.writer().writeString("v6");
            c.writer().flush();
            assertThat(c.reader().readString(2)).isEqualTo("v6");
        }
    }

    @Test
    void tcp4AndExistingServerChannel() throws Exception {
        Server server = net.startServer("tcp4", "127.0.0.1:0", TestNet::echo);
        try (Connection c = Netpoll.newDialer(Option.pollerGroup(net.group()))
                .dialConnection("tcp4", "127.0.0.1:" + server.port(), Duration.ofSeconds(1))) {
            c.writer().writeString("v4");
            c.writer().flush();
            assertThat(c.reader().readString(2)).isEqualTo("v4");
        }
        ServerSocketChannel ssc = ServerSocketChannel.open(StandardProtocolFamily.INET);
        ssc.bind(new InetSocketAddress("127.0.0.1", 0));
        Listener converted = net.closeLater(Netpoll.convertListener(ssc));
        EventLoop loop = Netpoll.newEventLoop(TestNet::echo, Option.pollerGroup(net.group()));
        CompletableFuture<Void> serving = CompletableFuture.runAsync(
                () -> {
                    try {
                        loop.serve(converted);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                },
                net.exec());
        try (SocketChannel sc = SocketChannel.open(converted.localAddress())) {
            sc.write(ByteBuffer.wrap("hi".getBytes()));
            ByteBuffer b = ByteBuffer.allocate(2);
            while (b.hasRemaining()) {
                sc.read(b);
            }
            assertThat(new String(b.array())).isEqualTo("hi");
        }
        loop.shutdown(Duration.ofSeconds(1));
        serving.get(5, TimeUnit.SECONDS);
        assertThat(converted.isOpen()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void plainSocketsInteroperate(HandlerMode mode) throws Exception {
        Server server = net.echoServer(Option.handlerMode(mode));
        Socket s = net.socket(server.port());
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        out.write("ping".getBytes());
        assertThat(new String(readFully(in, 4))).isEqualTo("ping");
    }

    static boolean hasIpv6Loopback() {
        try {
            for (NetworkInterface ni : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
                    if (a instanceof Inet6Address && a.isLoopbackAddress()) {
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
