package io.netpoll;

import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Writer;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One exception contract for writers: every method of a connection's writer throws
 * {@link ConnectionClosedException} once the connection is closed (before 1.0, {@code write*}
 * threw IllegalStateException and only flush a ConnectionClosedException), and a standalone
 * LinkBuffer narrows the declarations to no checked exception.
 */
class WriterContractTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    interface WriterCall {
        void call(Writer w) throws Exception;
    }

    @Test
    void everyWriterMethodOnAClosedConnectionThrowsConnectionClosedException() throws Exception {
        Server server = net.echoServer();
        Connection conn = net.dialer().dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(5));
        Writer writer = conn.writer();
        conn.close();

        Map<String, WriterCall> calls = new LinkedHashMap<>();
        calls.put("malloc", w -> w.malloc(4));
        calls.put("mallocLen", Writer::mallocLen);
        calls.put("mallocAck", w -> w.mallocAck(0));
        calls.put("writeBinary(byte[])", w -> w.writeBinary(new byte[] {1}));
        calls.put("writeBinary(byte[], off, len)", w -> w.writeBinary(new byte[] {1, 2}, 0, 1));
        calls.put("writeBinary(ByteBuffer)", w -> w.writeBinary(ByteBuffer.wrap(new byte[] {1})));
        calls.put("writeString(String)", w -> w.writeString("x"));
        calls.put("writeString(String, Charset)", w -> w.writeString("x", StandardCharsets.US_ASCII));
        calls.put("writeByte", w -> w.writeByte((byte) 1));
        calls.put("writeDirect", w -> w.writeDirect(ByteBuffer.allocateDirect(1), 0));
        calls.put("append(Reader, n)", w -> {
            try (LinkBuffer source = new LinkBuffer()) {
                source.writeString("abc");
                source.flush();
                w.append(source, 3);
            }
        });
        calls.put("flush", Writer::flush);
        for (Map.Entry<String, WriterCall> e : calls.entrySet()) {
            assertThatThrownBy(() -> e.getValue().call(writer))
                    .as(e.getKey())
                    .isInstanceOf(ConnectionClosedException.class);
        }
        assertThatThrownBy(() -> conn.send(w -> w.writeString("x")))
                .as("send")
                .isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void appendingToAClosedConnectionClosesTheHandedOverBuffer() throws Exception {
        Server server = net.echoServer();
        Connection conn = net.dialer().dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(5));
        conn.close();
        LinkBuffer slice = new LinkBuffer();
        slice.writeString("handed over");
        slice.flush();
        assertThatThrownBy(() -> conn.writer().append(slice)).isInstanceOf(ConnectionClosedException.class);
        assertThatThrownBy(() -> slice.readByte())
                .as("the writer closed it: its nodes cannot leak")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aHandlerCatchesOneExceptionTypeForWritesAndFlushes() throws Exception {
        java.util.concurrent.CompletableFuture<Throwable> seen = new java.util.concurrent.CompletableFuture<>();
        Server server = net.startServer((Object ctx, Connection c) -> {
            c.reader().skip(c.reader().len());
            c.close(); // as if the peer had left meanwhile
            try {
                c.writer().writeString("late reply");
                c.writer().flush();
                seen.complete(null);
            } catch (java.io.IOException e) {
                seen.complete(e);
            }
        });
        try (java.net.Socket s = net.socket(server.port())) {
            s.getOutputStream().write('x');
            assertThat(seen.get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .isInstanceOf(ConnectionClosedException.class);
        }
        assertThat(server.loop().stats().handlerErrors()).isZero();
    }

    @Test
    void aStandaloneLinkBufferThrowsNoCheckedException() {
        // Compiles without a throws clause: LinkBuffer narrows Writer's and Reader's IOException.
        try (LinkBuffer b = new LinkBuffer()) {
            b.writeString("ab");
            b.writeBinary(new byte[] {'c'});
            b.writeByte((byte) 'd');
            b.malloc(1).put((byte) 'e');
            b.flush();
            assertThat(b.readString(5)).isEqualTo("abcde");
        }
    }
}
