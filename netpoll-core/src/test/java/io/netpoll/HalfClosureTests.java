package io.netpoll;

import io.netpoll.buffer.Reader;
import io.netpoll.testing.PeerIo;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.netpoll.testing.TestNet.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Half-closure ({@link Option#allowHalfClosure}): a peer that sends its request and half-closes
 * gets the whole reply and then our FIN, in every handler mode; without the option nothing
 * changes; a half-closed peer that never reads is still bounded by the write timeout, and a
 * silent one by the idle timeout.
 */
class HalfClosureTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private static final int BIG = 4 << 20;

    /**
     * Answers each call with the count of bytes it consumed ("n\n"); once the peer has finished,
     * sends a large final reply ("end\n" + BIG bytes) and shuts the output down.
     */
    private static void countThenFinalReply(Object ctx, Connection c) throws IOException {
        // Read first: the FIN may arrive during a call, and only a call that starts after it is due.
        boolean finished = c.isInputShutdown();
        Reader r = c.reader();
        int n = r.len();
        if (n > 0) {
            r.skip(n);
            c.writer().writeString(n + "\n");
            c.writer().flush();
        }
        if (finished && !c.isOutputShutdown()) {
            c.writer().writeString("end\n");
            byte[] big = pattern(BIG, 3);
            for (int off = 0; off < big.length; off += 64 * 1024) { // several flushes: streaming in one call
                c.writer().writeBinary(java.nio.ByteBuffer.wrap(big, off, 64 * 1024));
                c.writer().flush();
            }
            c.shutdownOutput();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int ch; (ch = in.read()) != '\n'; ) {
            if (ch < 0) {
                throw new IOException("EOF after " + b);
            }
            b.append((char) ch);
        }
        return b.toString();
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void aClientThatHalfClosesGetsTheWholeReplyThenOurFin(HandlerMode mode) throws Exception {
        BlockingQueue<String> disconnected = new ArrayBlockingQueue<>(1);
        Server server = net.startServer(
                HalfClosureTests::countThenFinalReply,
                Option.handlerMode(mode),
                Option.allowHalfClosure(true),
                Option.onDisconnect((ctx, c) -> disconnected.add("peer")));
        Socket s = net.socket(server.port());
        s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(readLine(s.getInputStream())).isEqualTo("5");
        // The FIN alone, with nothing left to read: the handler is still called once for it.
        s.shutdownOutput();
        assertThat(readLine(s.getInputStream())).isEqualTo("end");
        PeerIo.Ending end = PeerIo.readToEnd(s.getInputStream());
        assertThat(end.reset()).as("ended by our FIN, not a reset").isFalse();
        assertThat(end.bytes()).isEqualTo(pattern(BIG, 3));
        // Both directions done: the connection closes by itself, as one the peer closed.
        assertThat(disconnected.poll(5, TimeUnit.SECONDS)).isEqualTo("peer");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().handlerErrors()).isZero();
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void dataAndFinTogetherAreAnsweredInFull(HandlerMode mode) throws Exception {
        Server server = net.startServer(
                HalfClosureTests::countThenFinalReply, Option.handlerMode(mode), Option.allowHalfClosure(true));
        Socket s = net.socket(server.port());
        s.getOutputStream().write("SET k v\r\nGET k\r\n".getBytes(StandardCharsets.US_ASCII));
        s.shutdownOutput(); // right behind the command
        InputStream in = s.getInputStream();
        int counted = 0;
        for (String line; !(line = readLine(in)).equals("end"); ) {
            counted += Integer.parseInt(line);
        }
        assertThat(counted).isEqualTo(16);
        assertThat(PeerIo.readToEnd(in).bytes()).isEqualTo(pattern(BIG, 3));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void withoutTheSettingTheConnectionClosesOnceItsInputIsHandled(HandlerMode mode) throws Exception {
        AtomicInteger callsAtEof = new AtomicInteger();
        Server server = net.startServer(
                (ctx, c) -> {
                    if (c.isInputShutdown() && c.reader().len() == 0) {
                        callsAtEof.incrementAndGet();
                    }
                    countThenFinalReply(ctx, c);
                },
                Option.handlerMode(mode));
        Socket s = net.socket(server.port());
        s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(readLine(s.getInputStream())).isEqualTo("5");
        s.shutdownOutput();
        PeerIo.Ending end = PeerIo.readToEnd(s.getInputStream());
        assertThat(end.bytes()).as("no call at EOF without half-closure").isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(callsAtEof.get()).isZero();
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void aPeerThatHalfClosesAndNeverReadsIsClosedByTheWriteTimeout(HandlerMode mode) throws Exception {
        Server server = net.startServer(
                HalfClosureTests::countThenFinalReply,
                Option.handlerMode(mode),
                Option.allowHalfClosure(true),
                Option.writeTimeout(Duration.ofMillis(300)),
                Option.sendBufferSize(16 * 1024));
        Socket s = net.socket(server.port());
        s.setReceiveBufferSize(16 * 1024);
        s.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
        s.shutdownOutput(); // and never read: 4 MiB cannot fit in the kernel buffers
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().writeTimeoutCloses()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void aHalfClosedPeerIsStillClosedByTheIdleTimeout(HandlerMode mode) throws Exception {
        AtomicInteger callsAtEof = new AtomicInteger();
        Server server = net.startServer(
                (ctx, c) -> {
                    boolean finished = c.isInputShutdown(); // at the start: at least one such call is due
                    c.reader().skip(c.reader().len());
                    if (finished) {
                        callsAtEof.incrementAndGet(); // and neither replies nor closes
                    }
                },
                Option.handlerMode(mode),
                Option.allowHalfClosure(true),
                Option.idleTimeout(Duration.ofMillis(300)));
        Socket s = net.socket(server.port());
        s.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
        s.shutdownOutput();
        long start = System.nanoTime();
        PeerIo.Ending end = PeerIo.readToEnd(s.getInputStream());
        assertThat(end.bytes()).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(callsAtEof.get()).isGreaterThanOrEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(
            value = HandlerMode.class,
            names = {"ADAPTIVE", "WORKER"})
    void aBlockingReadPastTheEndThrowsEndOfStreamAndTheConnectionStaysWritable(HandlerMode mode) throws Exception {
        Server server = net.startServer(
                (ctx, c) -> {
                    Reader r = c.reader();
                    try {
                        for (; ; ) {
                            r.next(4);
                            r.release();
                        }
                    } catch (EndOfStreamException e) {
                        c.writer().writeString("rest=" + r.len() + " open=" + c.isOpen() + "\n");
                        c.writer().flush();
                        c.shutdownOutput();
                    }
                },
                Option.handlerMode(mode),
                Option.allowHalfClosure(true));
        Socket s = net.socket(server.port());
        s.getOutputStream().write(new byte[10]);
        s.shutdownOutput();
        assertThat(new String(PeerIo.readToEnd(s.getInputStream()).bytes(), StandardCharsets.US_ASCII))
                .isEqualTo("rest=2 open=true\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().handlerErrors()).isZero();
    }

    @ParameterizedTest
    @EnumSource(HandlerMode.class)
    void shutdownOutputBeforeThePeersFinKeepsReading(HandlerMode mode) throws Exception {
        BlockingQueue<String> received = new ArrayBlockingQueue<>(4);
        Server server = net.startServer(
                (ctx, c) -> {
                    Reader r = c.reader();
                    int n = r.len();
                    if (n > 0) {
                        received.add(r.readString(n));
                    }
                    if (!c.isOutputShutdown()) {
                        c.writer().writeString("bye\n");
                        c.writer().flush();
                        c.shutdownOutput(); // done talking, still listening
                    }
                },
                Option.handlerMode(mode),
                Option.allowHalfClosure(true));
        Socket s = net.socket(server.port());
        OutputStream out = s.getOutputStream();
        out.write("hi".getBytes(StandardCharsets.US_ASCII));
        PeerIo.Ending end = PeerIo.readToEnd(s.getInputStream());
        assertThat(new String(end.bytes(), StandardCharsets.US_ASCII)).isEqualTo("bye\n");
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("hi");
        out.write("more".getBytes(StandardCharsets.US_ASCII));
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("more");
        assertThat(server.loop().stats().connectionsActive()).isEqualTo(1);
        s.shutdownOutput(); // now both directions are done
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsActive() == 0);
    }

    @Test
    void aDialedConnectionWithHalfClosureReadsToTheEndThenReplies() throws Exception {
        ServerSocket plain = net.closeLater(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        CompletableFuture<String> peerGot = CompletableFuture.supplyAsync(
                () -> {
                    try (Socket p = plain.accept()) {
                        p.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
                        p.shutdownOutput();
                        return new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                },
                net.exec());
        Connection c = net.dialer(Option.allowHalfClosure(true))
                .dialConnection("tcp", "127.0.0.1:" + plain.getLocalPort(), Duration.ofSeconds(5));
        assertThat(c.reader().readString(2)).isEqualTo("hi");
        c.reader().release();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.reader().next(1))
                .isInstanceOf(EndOfStreamException.class);
        assertThat(c.isInputShutdown()).isTrue();
        assertThat(c.isOpen()).isTrue();
        c.writer().writeString("bye");
        c.writer().flush();
        c.shutdownOutput();
        assertThat(peerGot.get(5, TimeUnit.SECONDS)).isEqualTo("bye");
        await().atMost(Duration.ofSeconds(5)).until(() -> !c.isOpen());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.writer().flush())
                .isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void theSettingIsInBothConfigs() {
        assertThat(ServerConfig.builder().allowHalfClosure(true).build().allowHalfClosure())
                .isTrue();
        assertThat(DialerConfig.builder().allowHalfClosure(true).build().allowHalfClosure())
                .isTrue();
        assertThat(ServerConfig.defaults().allowHalfClosure()).isFalse();
        assertThat(DialerConfig.of(Option.allowHalfClosure(true)).allowHalfClosure())
                .isTrue();
    }
}
