package io.netpoll.benchmarks.soak;

import io.netpoll.Connection;
import io.netpoll.buffer.BufferLeakCheckExtension;
import io.netpoll.buffer.Reader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(BufferLeakCheckExtension.class)
@Timeout(60)
class EchoWorkloadTests {

    static void echo(Object ctx, Connection c) throws IOException {
        Reader r = c.reader();
        int n = r.len();
        if (n > 0) {
            c.writer().append(r.slice(n));
            c.writer().flush();
        }
    }

    /** Echoes, but every 1000th byte it sends is off by one. */
    static void corruptingEcho(Object ctx, Connection c) throws IOException {
        Reader r = c.reader();
        int n = r.len();
        if (n > 0) {
            ByteBuffer in = r.next(n);
            byte[] b = new byte[n];
            in.get(b);
            for (int i = 0; i < n; i += 1000) {
                b[i]++;
            }
            c.writer().writeBinary(b, 0, n);
            c.writer().flush();
        }
    }

    @Test
    void roundTripsAgainstAnEchoServerAreVerifiedWithoutErrors() throws Exception {
        try (LoopbackServer server = new LoopbackServer(EchoWorkloadTests::echo)) {
            EchoWorkload w = new EchoWorkload("127.0.0.1", server.port(), 2, Duration.ofSeconds(10), 1);
            w.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> w.ops() >= 500 || w.errors() > 0);
            assertThat(w.stop(Duration.ofSeconds(15))).isTrue();
            assertThat(w.errors()).as("errors: %s", w.errorMessages()).isZero();
            assertThat(w.ops()).isGreaterThanOrEqualTo(500);
        }
    }

    @Test
    void aWrongByteIsAnErrorThatNamesWhereItDiffers() throws Exception {
        try (LoopbackServer server = new LoopbackServer(EchoWorkloadTests::corruptingEcho)) {
            EchoWorkload w = new EchoWorkload("127.0.0.1", server.port(), 1, Duration.ofSeconds(10), 2);
            w.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> w.errors() >= 3);
            assertThat(w.stop(Duration.ofSeconds(15))).isTrue();
            assertThat(w.errorMessages()).first().asString().contains("differs at byte 0");
        }
    }

    @Test
    void aRefusedConnectionIsAnError() throws Exception {
        int port;
        try (LoopbackServer server = new LoopbackServer(EchoWorkloadTests::echo)) {
            port = server.port();
        }
        EchoWorkload w = new EchoWorkload("127.0.0.1", port, 1, Duration.ofSeconds(2), 3);
        w.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> w.errors() >= 1);
        assertThat(w.stop(Duration.ofSeconds(5))).isTrue();
        assertThat(w.ops()).isZero();
        assertThat(w.errorMessages()).first().asString().contains("echo round trip");
    }
}
