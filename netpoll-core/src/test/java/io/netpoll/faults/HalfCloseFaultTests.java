package io.netpoll.faults;

import io.netpoll.faults.Frames.Mode;
import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.netpoll.testing.TestNet.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Peers that close their sending side (FIN) right after their last bytes, sometimes in the
 * middle of a frame: every complete frame is still answered, in order, then the server closes.
 */
class HalfCloseFaultTests {
    @RegisterExtension
    final TestNet net = TestNet.faultScenario();

    private static final int CONNECTIONS = 100;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void halfCloseAfterSendingGetsEveryReplyThenEof(Mode mode) throws Exception {
        Server server = net.startServer(mode.handler(), mode.options());
        Random random = new Random(42);
        List<Socket> sockets = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int f = 0; f < 20; f++) {
                b.writeBytes(Frames.frame(random.nextInt(Frames.MAX_FRAME + 1), random));
            }
            byte[] complete = b.toByteArray();
            if (i % 2 == 1) { // and half a frame: the FIN comes mid-frame
                b.writeBytes(java.util.Arrays.copyOf(Frames.frame(500, random), 1 + random.nextInt(400)));
            }
            Socket s = net.socket(server.port());
            s.getOutputStream().write(b.toByteArray());
            s.shutdownOutput();
            sockets.add(s);
            expected.add(complete);
        }
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket s = sockets.get(i);
            byte[] replies = s.getInputStream().readNBytes(expected.get(i).length);
            assertThat(replies).as("replies on connection %d", i).isEqualTo(expected.get(i));
            assertThat(s.getInputStream().read())
                    .as("then EOF on connection %d", i)
                    .isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 0);
        assertThat(server.loop().stats().handlerErrors())
                .as("a FIN mid-frame is not the handler's fault")
                .isZero();
        assertThat(Frames.freshClientServed(server.port(), 3)).isTrue();
    }
}
