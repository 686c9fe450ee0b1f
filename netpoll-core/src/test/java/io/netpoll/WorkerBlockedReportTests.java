package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Blocked-thread reporting in worker mode: a handler that holds a worker of the group's pool
 * longer than the threshold is logged once with its stack and counted in the same counter as a
 * blocked adaptive call ({@link PollerGroupStats#handlersBlocked()}); a handler waiting in netpoll
 * for its frame is not.
 */
class WorkerBlockedReportTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private PollerGroup group;

    private final List<LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
    private final Logger jul = Logger.getLogger("io.netpoll.sysmon");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void shortThreshold() {
        group = net.closeLater(PollerGroup.create(1, 16, Duration.ofMillis(100)));
        jul.addHandler(capture);
    }

    @AfterEach
    void removeCapture() {
        jul.removeHandler(capture);
    }

    @Test
    void aWorkerModeHandlerBlockedInAContendedLockIsReportedOnceWithItsStackAndCounted() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch entered = new CountDownLatch(1);
        Server server = startOnGroup(
                (ctx, c) -> {
                    c.reader().skip(c.reader().len());
                    entered.countDown();
                    lock.lock(); // contended: the test holds it
                    try {
                        c.writer().writeByte((byte) 1);
                        c.writer().flush();
                    } finally {
                        lock.unlock();
                    }
                },
                Option.handlerMode(HandlerMode.WORKER));
        Socket s = net.socket(server.port());
        lock.lock();
        try {
            s.getOutputStream().write(1);
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> group.stats().handlersBlocked() == 1);
        } finally {
            lock.unlock();
        }
        assertThat(s.getInputStream().read()).isEqualTo(1);
        assertThat(group.stats().handlersBlocked())
                .as("one blocked call, counted once")
                .isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !logged.isEmpty());
        assertThat(logged).hasSize(1);
        assertThat(logged.get(0).getMessage()).contains("worker thread");
        Throwable where = logged.get(0).getThrown();
        assertThat(where.getMessage()).contains("-worker-");
        assertThat(Arrays.stream(where.getStackTrace()).map(StackTraceElement::getClassName))
                .as("the blocked worker's stack")
                .anyMatch(n -> n.contains("ReentrantLock") || n.contains("AbstractQueuedSynchronizer"));
        // Quick calls afterwards are not reported.
        for (int i = 0; i < 10; i++) {
            s.getOutputStream().write(1);
            assertThat(s.getInputStream().read()).isEqualTo(1);
        }
        assertThat(group.stats().handlersBlocked()).isEqualTo(1);
    }

    @Test
    void aWorkerModeHandlerWaitingForItsFrameInNetpollIsNotReported() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        Server server = startOnGroup(
                (ctx, c) -> {
                    c.reader().skip(1);
                    waiting.countDown();
                    byte[] frame = c.reader().readBinary(4); // waits in netpoll for the rest
                    c.writer().writeBinary(frame, 0, frame.length);
                    c.writer().flush();
                },
                Option.handlerMode(HandlerMode.WORKER));
        Socket s = net.socket(server.port());
        s.getOutputStream().write('W');
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        // Longer than the threshold inside next(): a wait in netpoll, not a blocked handler.
        CountDownLatch pastThreshold = new CountDownLatch(1);
        pastThreshold.await(300, TimeUnit.MILLISECONDS); // nobody counts it down: wall time, not synchronisation
        s.getOutputStream().write(new byte[] {1, 2, 3, 4});
        assertThat(readFully(s.getInputStream(), 4)).containsExactly(1, 2, 3, 4);
        assertThat(group.stats().handlersBlocked()).isZero();
        assertThat(logged).isEmpty();
    }

    /** A server on this test's group (its small caps), with the test's options. */
    private Server startOnGroup(OnRequest<?> onRequest, ServerOption... options) throws java.io.IOException {
        ServerOption[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = Option.pollerGroup(group);
        return net.startServer(onRequest, all);
    }
}
