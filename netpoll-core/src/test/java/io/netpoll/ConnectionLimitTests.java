package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.netpoll.testing.TestNet.echo;
import static io.netpoll.testing.TestNet.pattern;
import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ConnectionLimitTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private static final int MAX = 4;
    private static final int EXTRA = 3;

    @Test
    void connectionsBeyondTheLimitAreClosedAndCountedWhileTheOthersAreServed() throws Exception {
        Server server = net.echoServer(Option.maxConnections(MAX));
        List<Socket> served = new ArrayList<>();
        for (int i = 0; i < MAX; i++) {
            Socket s = net.socket(server.port());
            // A round trip per client: it is admitted before the next one connects.
            assertThat(echoOnce(s, i)).isTrue();
            served.add(s);
        }
        for (int i = 0; i < EXTRA; i++) {
            Socket s = net.socket(server.port()); // the kernel completes the handshake; then netpoll closes
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsRejected() == EXTRA);
        assertThat(server.loop().stats().connectionsAccepted()).isEqualTo(MAX);
        assertThat(server.loop().connectionCount()).isEqualTo(MAX);
        for (int i = 0; i < MAX; i++) {
            assertThat(echoOnce(served.get(i), 100 + i))
                    .as("client %d still served", i)
                    .isTrue();
        }

        for (Socket s : served) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> server.loop().stats().connectionsActive() == 0
                        && server.loop().connectionCount() == 0);
        // The slots are free again: a full set is admitted once more, and the next one rejected.
        for (int i = 0; i < MAX; i++) {
            assertThat(echoOnce(net.socket(server.port()), 200 + i)).isTrue();
        }
        assertThat(net.socket(server.port()).getInputStream().read()).isEqualTo(-1);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().stats().connectionsRejected() == EXTRA + 1);
    }

    @Test
    void aSlotIsFreedWhenTheServerClosesAConnection() throws Exception {
        Server server = net.startServer(
                (ctx, c) -> {
                    echo(ctx, c);
                    c.close();
                },
                Option.maxConnections(1));
        for (int i = 0; i < 5; i++) {
            Socket s = net.socket(server.port());
            assertThat(echoOnce(s, i)).isTrue();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.loop().connectionCount() == 0);
        }
        assertThat(server.loop().stats().connectionsRejected()).isZero();
        assertThat(server.loop().stats().connectionsAccepted()).isEqualTo(5);
    }

    @Test
    void theLimitCountsConnectionsOfAllListenersOfTheEventLoop() throws Exception {
        EventLoop loop = Netpoll.newEventLoop(TestNet::echo, Option.maxConnections(2), Option.pollerGroup(net.group()));
        Listener a = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        Listener b = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        try {
            for (Listener l : List.of(a, b)) {
                net.exec().submit(() -> {
                    loop.serve(l);
                    return null;
                });
            }
            assertThat(echoOnce(net.socket(a.port()), 1)).isTrue();
            assertThat(echoOnce(net.socket(b.port()), 2)).isTrue();
            assertThat(net.socket(a.port()).getInputStream().read()).isEqualTo(-1);
            assertThat(net.socket(b.port()).getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(5)).until(() -> loop.stats().connectionsRejected() == 2);
            assertThat(loop.stats().connectionsAccepted()).isEqualTo(2);
        } finally {
            loop.shutdown(Duration.ofSeconds(2));
        }
    }

    @Test
    void nonPositiveLimitIsRefused() {
        assertThatThrownBy(() -> Option.maxConnections(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static boolean echoOnce(Socket s, int seed) throws Exception {
        byte[] msg = pattern(1000, seed);
        OutputStream out = s.getOutputStream();
        out.write(msg);
        out.flush();
        InputStream in = s.getInputStream();
        return java.util.Arrays.equals(readFully(in, msg.length), msg);
    }
}
