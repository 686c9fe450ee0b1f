package io.netpoll.codec;

import io.netpoll.Connection;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.ReadTimeoutException;
import io.netpoll.buffer.LinkBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The blocking forms on a real connection: a line that trickles in byte by byte, a read timeout
 * in the middle of a line (the decoder keeps what it took; the next call completes the line), a
 * peer that never sends a line feed (fails at the limit, without waiting for one), and a length
 * field whose body arrives after the header.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameDecoderConnectionTests {
    private PollerGroup group;
    private ServerSocket server;
    private Connection conn;
    private Socket peer;

    @BeforeEach
    void setUp() throws Exception {
        group = PollerGroup.create(1);
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        CompletableFuture<Socket> accepted = async(() -> server.accept());
        conn = Netpoll.newDialer(Option.pollerGroup(group)).dialConnection("tcp", "127.0.0.1:" + server.getLocalPort());
        peer = accepted.get(10, TimeUnit.SECONDS);
        peer.setTcpNoDelay(true);
    }

    @AfterEach
    void tearDown() throws IOException {
        conn.close();
        peer.close();
        server.close();
        group.close();
    }

    private static String text(ByteBuffer view) {
        return StandardCharsets.UTF_8.decode(view.duplicate()).toString();
    }

    @Test
    void aLineTricklingInByteByByteIsReturnedWhole() throws Exception {
        try (LineFrameDecoder lines = new LineFrameDecoder(100)) {
            CompletableFuture<String> line = async(() -> text(lines.nextFrame(conn.reader())));
            OutputStream out = peer.getOutputStream();
            for (byte b : "hello, world\r\n".getBytes(StandardCharsets.US_ASCII)) {
                out.write(b);
                out.flush();
            }
            assertThat(line.get(10, TimeUnit.SECONDS)).isEqualTo("hello, world");
            conn.reader().release();
        }
    }

    @Test
    void aReadTimeoutInTheMiddleOfALineLosesNothing() throws Exception {
        conn.setReadTimeout(Duration.ofMillis(100));
        try (LineFrameDecoder lines = new LineFrameDecoder(100)) {
            OutputStream out = peer.getOutputStream();
            out.write("first ha".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThatThrownBy(() -> lines.nextFrameSlice(conn.reader())).isInstanceOf(ReadTimeoutException.class);
            assertThat(lines.pendingBytes()).isEqualTo(8); // taken from the reader, kept for the next call
            out.write("lf\nsecond\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            conn.setReadTimeout(Duration.ofSeconds(10));
            try (LinkBuffer first = lines.nextFrameSlice(conn.reader())) {
                assertThat(first.readString(first.len())).isEqualTo("first half");
            }
            assertThat(text(lines.nextFrame(conn.reader()))).isEqualTo("second");
            conn.reader().release();
        }
    }

    @Test
    void aPeerThatNeverSendsALineFeedFailsAtTheLimitWithoutWaitingForOne() throws Exception {
        try (LineFrameDecoder lines = new LineFrameDecoder(1000)) {
            CompletableFuture<ByteBuffer> line = async(() -> lines.nextFrame(conn.reader()));
            OutputStream out = peer.getOutputStream();
            out.write(new byte[1002]); // max + 2 bytes, no line feed, and then nothing more
            out.flush();
            assertThatThrownBy(() -> line.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(TooLongFrameException.class);
            assertThat(lines.pendingBytes()).isLessThanOrEqualTo(1002);
        }
    }

    @Test
    void aLengthFieldFrameWhoseBodyArrivesLaterIsWaitedFor() throws Exception {
        LengthFieldFrameDecoder frames = LengthFieldFrameDecoder.lengthPrefixed(1 << 20);
        OutputStream out = peer.getOutputStream();
        out.write(new byte[] {0, 0, 0x10, 0}); // 4096-byte body
        out.flush();
        CompletableFuture<Integer> frame = async(() -> {
            ByteBuffer body = frames.nextFrame(conn.reader());
            int sum = 0;
            for (int i = body.position(); i < body.limit(); i++) {
                sum += body.get(i);
            }
            conn.reader().release();
            return sum;
        });
        for (int i = 0; i < 4; i++) {
            byte[] chunk = new byte[1024];
            java.util.Arrays.fill(chunk, (byte) 1);
            out.write(chunk);
            out.flush();
        }
        assertThat(frame.get(10, TimeUnit.SECONDS)).isEqualTo(4096);
        // A declared length over the maximum fails as soon as the header is there.
        out.write(new byte[] {0, 0x20, 0, 0});
        out.flush();
        assertThatThrownBy(() -> frames.nextFrame(conn.reader()))
                .isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("longer than the maximum");
    }
}
