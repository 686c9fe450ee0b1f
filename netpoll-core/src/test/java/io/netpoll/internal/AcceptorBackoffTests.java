package io.netpoll.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Accept failures (out of file descriptors) back off instead of spinning, and recover. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AcceptorBackoffTests {
    private static final long MIN = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long MAX = TimeUnit.MILLISECONDS.toNanos(80);
    private static final int FAILURES = 5;

    private final Sysmon sysmon = Sysmon.create("acceptor-test-");
    private final Poller poller;
    private final ServerSocketChannel server;
    private final BlockingQueue<SocketChannel> accepted = new LinkedBlockingQueue<>();
    private Socket client;

    AcceptorBackoffTests() throws IOException {
        poller = new Poller("acceptor-test", new AtomicLong(), sysmon, 0);
        poller.start();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void close() throws IOException {
        if (client != null) {
            client.close();
        }
        for (SocketChannel ch : accepted) {
            ch.close();
        }
        poller.shutdown(5_000);
        sysmon.shutdown();
        server.close();
    }

    @Test
    void failingAcceptBacksOffWithGrowingDelaysThenRecovers() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Long> failureTimes = new CopyOnWriteArrayList<>();
        Acceptor acceptor = new Acceptor(
                server,
                poller,
                accepted::add,
                true,
                () -> {
                    if (calls.incrementAndGet() <= FAILURES) {
                        failureTimes.add(System.nanoTime());
                        throw new IOException("Too many open files");
                    }
                    return server.accept();
                },
                MIN,
                MAX);
        acceptor.start();

        client = new Socket();
        client.connect(new InetSocketAddress("127.0.0.1", server.socket().getLocalPort()), 5_000);

        SocketChannel ch = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(ch).as("accepted after the failures").isNotNull();
        assertThat(acceptor.acceptFailures()).isEqualTo(FAILURES);
        assertThat(acceptor.backingOff()).isFalse();
        assertThat(acceptor.done()).isNotDone();
        // No busy loop: each retry waited for the back-off, which doubles up to MAX.
        long expected = MIN;
        for (int i = 1; i < failureTimes.size(); i++) {
            long gap = failureTimes.get(i) - failureTimes.get(i - 1);
            assertThat(gap).as("gap before retry %d", i).isGreaterThanOrEqualTo(expected);
            expected = Math.min(MAX, expected * 2);
        }
        // Recovered: the back-off was reset and a new connection is accepted at once.
        try (Socket second = new Socket()) {
            second.connect(new InetSocketAddress("127.0.0.1", server.socket().getLocalPort()), 5_000);
            SocketChannel ch2 = accepted.poll(10, TimeUnit.SECONDS);
            assertThat(ch2).isNotNull();
            ch2.close();
        }
        assertThat(acceptor.acceptFailures()).isEqualTo(FAILURES);
        acceptor.stop();
        acceptor.done().get(5, TimeUnit.SECONDS);
    }

    @Test
    void stopDuringBackOffCompletesAndClosesTheListener() throws Exception {
        Acceptor acceptor = new Acceptor(
                server,
                poller,
                accepted::add,
                true,
                () -> {
                    throw new IOException("Too many open files");
                },
                TimeUnit.SECONDS.toNanos(30),
                TimeUnit.SECONDS.toNanos(30));
        acceptor.start();
        client = new Socket();
        client.connect(new InetSocketAddress("127.0.0.1", server.socket().getLocalPort()), 5_000);
        await().atMost(Duration.ofSeconds(5)).until(acceptor::backingOff);
        assertThat(acceptor.acceptFailures()).isEqualTo(1); // one failure, then no retry for 30 s
        acceptor.stop();
        acceptor.done().get(5, TimeUnit.SECONDS);
        assertThat(server.isOpen()).isFalse();
        assertThat(acceptor.acceptFailures()).isEqualTo(1);
    }

    @Test
    void pollerShutdownDuringBackOffStopsTheAcceptor() throws Exception {
        Acceptor acceptor = new Acceptor(
                server,
                poller,
                accepted::add,
                true,
                () -> {
                    throw new IOException("Too many open files");
                },
                TimeUnit.SECONDS.toNanos(30),
                TimeUnit.SECONDS.toNanos(30));
        acceptor.start();
        client = new Socket();
        client.connect(new InetSocketAddress("127.0.0.1", server.socket().getLocalPort()), 5_000);
        await().atMost(Duration.ofSeconds(5)).until(acceptor::backingOff);
        poller.shutdown(5_000);
        acceptor.done().get(5, TimeUnit.SECONDS);
        assertThat(server.isOpen()).isFalse();
    }
}
