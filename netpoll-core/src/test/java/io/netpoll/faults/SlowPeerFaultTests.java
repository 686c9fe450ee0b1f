package io.netpoll.faults;

import io.netpoll.Option;
import io.netpoll.faults.Frames.Mode;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Slow senders: a byte at a time, and a slowloris holding many half-sent frames. */
class SlowPeerFaultTests {
    @RegisterExtension
    final TestNet net = TestNet.faultScenario();

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aByteAtATimeSenderGetsExactRepliesWhileOthersAreServed(Mode mode) throws Exception {
        Server server = net.startServer(mode.handler(), mode.options());
        Random random = new Random(11);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int f = 0; f < 10; f++) {
            b.writeBytes(Frames.frame(random.nextInt(120), random));
        }
        byte[] stream = b.toByteArray();
        Socket slow = net.socket(server.port());
        Socket other = net.socket(server.port());
        OutputStream out = slow.getOutputStream();
        for (int i = 0; i < stream.length; i++) {
            out.write(stream[i]); // TCP_NODELAY: one segment per byte
            if (i % 50 == 0) { // while the slow peer is in the middle of a frame, another is served
                assertThat(Frames.roundTrip(other, new byte[] {(byte) i})).isTrue();
            }
        }
        assertThat(slow.getInputStream().readNBytes(stream.length)).isEqualTo(stream);
        assertThat(server.loop().stats().handlerErrors()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void slowlorisHoldingManyHalfSentFramesIsEvictedByTheIdleTimeout(Mode mode) throws Exception {
        Duration idle = Duration.ofSeconds(1);
        Server server = net.startServer(mode.handler(), mode.options(Option.idleTimeout(idle)));
        int held = 200;
        List<Socket> loris = new ArrayList<>();
        for (int i = 0; i < held; i++) {
            Socket s = net.socket(server.port());
            s.getOutputStream().write(new byte[] {(byte) (900 >>> 8), (byte) 900, 1, 2, 3, 4, 5}); // 5 of 900 bytes
            loris.add(s);
        }
        long sentAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().bytesIn() == 7L * held);
        // Held frames take no server thread away from others (a blocking handler waits on a worker
        // that the pool compensates for): a new client is served at once.
        assertThat(Frames.freshClientServed(server.port(), 6)).isTrue();
        for (Socket s : loris) {
            assertThat(s.getInputStream().read()).as("evicted: EOF").isEqualTo(-1);
        }
        assertThat(System.nanoTime() - sentAt)
                .as("not before the idle timeout")
                .isGreaterThanOrEqualTo(idle.toNanos() - TimeUnit.MILLISECONDS.toNanos(100)); // the wheel's resolution
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().handlerErrors())
                .as("an eviction is not the handler's fault")
                .isZero();
    }
}
