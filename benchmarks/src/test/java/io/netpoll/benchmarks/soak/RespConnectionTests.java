package io.netpoll.benchmarks.soak;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The RESP client against a loopback peer that records the request and sends canned replies. */
@Timeout(30)
class RespConnectionTests {

    private ServerSocket server;
    private Socket peer;
    private RespConnection client;

    @BeforeEach
    void connect() throws Exception {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Socket s = new Socket();
        s.setSoTimeout(10_000);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5_000);
        client = new RespConnection(s);
        peer = accepted.get(10, TimeUnit.SECONDS);
        peer.setSoTimeout(10_000);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        peer.close();
        server.close();
    }

    @Test
    void pipelinedCommandsAreSentAsRespArraysInOneWrite() throws Exception {
        byte[] binary = {0, '\r', '\n', (byte) 0xff, '$'};
        client.command(KvWorkload.bytes("GET"), KvWorkload.bytes("k"))
                .begin(3)
                .arg(KvWorkload.bytes("SET"))
                .arg(KvWorkload.bytes("k"))
                .arg(binary, 4)
                .flush();
        String expected = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n\0\r\n\u00ff\r\n";
        assertThat(read(peer.getInputStream(), expected.length())).isEqualTo(expected);
    }

    @Test
    void expectedRepliesPass() throws Exception {
        reply("+OK\r\n$5\r\nhel\r\n\r\n:42\r\n$-1\r\n$0\r\n\r\n");
        client.expectSimple("OK");
        client.expectBulk("hel\r\n".getBytes(StandardCharsets.ISO_8859_1), 5);
        client.expectInteger(42);
        client.expectNil();
        client.expectBulk(new byte[0], 0);
    }

    @Test
    void aDifferentByteInABulkStringFailsVerification() throws Exception {
        reply("$5\r\nhellO\r\n");
        assertThatThrownBy(() -> client.expectBulk(KvWorkload.bytes("hello"), 5))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("differs at byte 4");
    }

    @Test
    void anErrorReplyOrAnotherTypeFailsVerification() throws Exception {
        reply("-ERR wrong\r\n:7\r\n$3\r\nabc\r\n");
        assertThatThrownBy(() -> client.expectSimple("OK"))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("-ERR wrong");
        assertThatThrownBy(() -> client.expectInteger(8))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("expected :8, got :7");
        assertThatThrownBy(() -> client.expectNil())
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("$3");
    }

    @Test
    void aPeerThatClosesMidReplyFailsVerification() throws Exception {
        reply("$10\r\nabc");
        peer.shutdownOutput();
        assertThatThrownBy(() -> client.expectBulk(KvWorkload.bytes("abcdefghij"), 10))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("closed");
    }

    private void reply(String bytes) throws IOException {
        peer.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String read(InputStream in, int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }
}
