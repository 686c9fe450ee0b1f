package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closes connections from every side at random moments while data flows both ways and handlers
 * block in next(n): callbacks must run exactly once per connection, no unexpected exception may
 * escape, and every buffer node must go back to the pool (checked after the test).
 */
class CloseRaceStressTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    @Test
    void randomClosesDuringTrafficAreRaceFree() throws Exception {
        Queue<Connection> serverConns = new ConcurrentLinkedQueue<>();
        Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        ConcurrentHashMap<Connection, AtomicInteger> callbackRuns = new ConcurrentHashMap<>();
        Server server = net.startServer(
                (ctx, c) -> {
                    // frames: 1 length byte, then that many bytes; blocks in next until complete
                    int len = c.reader().next(1).get() & 0xff;
                    java.nio.ByteBuffer body = c.reader().next(len);
                    c.writer().writeByte((byte) len);
                    c.writer().writeBinary(body);
                    c.writer().flush();
                },
                Option.onPrepare(c -> {
                    serverConns.add(c);
                    AtomicInteger runs = new AtomicInteger();
                    callbackRuns.put(c, runs);
                    c.addCloseCallback(x -> runs.incrementAndGet());
                    return null;
                }));
        Dialer dialer = net.dialer();
        int rounds = 200;
        List<Connection> clients = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(rounds);
        for (int i = 0; i < rounds; i++) {
            Connection client = dialer.dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(5));
            clients.add(client);
            AtomicInteger runs = new AtomicInteger();
            callbackRuns.put(client, runs);
            client.addCloseCallback(x -> runs.incrementAndGet());
            int closeAfter = ThreadLocalRandom.current().nextInt(0, 20);
            net.exec().execute(() -> {
                try {
                    for (int f = 0; f < 50; f++) { // bounded
                        int len = 1 + ThreadLocalRandom.current().nextInt(200);
                        if (f == closeAfter) {
                            // send half a frame, then close from a random side
                            client.writer().writeByte((byte) len);
                            client.writer().flush();
                            Connection victim = ThreadLocalRandom.current().nextBoolean() ? client : serverConns.peek();
                            if (victim != null) {
                                victim.close();
                            }
                            client.close();
                            return;
                        }
                        client.writer().writeByte((byte) len);
                        client.writer().writeBinary(new byte[len]);
                        client.writer().flush();
                        client.reader().skip(1 + len);
                        client.reader().release();
                    }
                    client.close();
                } catch (ConnectionClosedException | IllegalStateException expected) {
                    // the other side closed first
                } catch (Throwable t) {
                    unexpected.add(t);
                } finally {
                    done.countDown();
                }
            });
            // a concurrent closer hitting a random server connection at a random moment
            if (i % 3 == 0) {
                net.exec().execute(() -> {
                    Connection c = serverConns.poll();
                    if (c != null) {
                        c.close();
                        c.close();
                    }
                });
            }
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        clients.forEach(Connection::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().connectionsActive() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> dialer.stats().connectionsActive() == 0);
        assertThat(unexpected).isEmpty();
        assertThat(callbackRuns).hasSize(2 * rounds);
        assertThat(callbackRuns.values())
                .allSatisfy(runs -> assertThat(runs.get()).isEqualTo(1));
        assertThat(server.loop().stats().handlerErrors()).isZero();
    }

    @Test
    void closingTheGroupUnderTrafficFreesEverything() throws Exception {
        PollerGroup g = PollerGroup.create(2);
        Listener l = Netpoll.createListener("tcp", "127.0.0.1:0");
        EventLoop loop = Netpoll.newEventLoop(TestNet::echo, Option.pollerGroup(g));
        net.exec().execute(() -> {
            try {
                loop.serve(l);
            } catch (IOException ignored) {
                // closed with the group
            }
        });
        Dialer dialer = Netpoll.newDialer(Option.pollerGroup(g));
        CountDownLatch flowing = new CountDownLatch(20);
        for (int i = 0; i < 20; i++) {
            Connection c = dialer.dialConnection("tcp", "127.0.0.1:" + l.port(), Duration.ofSeconds(5));
            net.exec().execute(() -> {
                try {
                    for (int k = 0; k < 100_000; k++) { // bounded; ends when the group closes
                        c.writer().writeBinary(new byte[512]);
                        c.writer().flush();
                        c.reader().skip(512);
                        c.reader().release();
                        if (k == 10) {
                            flowing.countDown();
                        }
                    }
                } catch (ConnectionClosedException | IllegalStateException expected) {
                    // the group closed
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
        }
        assertThat(flowing.await(20, TimeUnit.SECONDS)).isTrue();
        g.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        loop.stats().connectionsActive() == 0 && dialer.stats().connectionsActive() == 0);
    }
}
