package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link PollerGroup#workerStats()}: the default worker pool's gauges follow what its workers
 * do. Waits on conditions only: every value is awaited, never assumed after a sleep.
 */
class WorkerPoolStatsTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    @Test
    void completedTasksCountEachConnectionsRunAndIdleWorkersAreNotActive() throws Exception {
        WorkerPoolStats stats = net.group().workerStats();
        assertThat(stats.parallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(stats.poolSize()).isZero();
        assertThat(stats.completedTasks()).isZero();

        Server server = net.echoServer(Option.handlerMode(HandlerMode.WORKER));
        for (int i = 0; i < 5; i++) {
            // A task serves one connection (and may serve several of its requests): five
            // connections are at least five tasks.
            Socket s = net.socket(server.port());
            s.getOutputStream().write(i);
            assertThat(s.getInputStream().read()).isEqualTo(i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> stats.completedTasks() >= 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> stats.activeThreads() == 0);
        assertThat(stats.poolSize()).isPositive();
        assertThat(stats.queuedTasks()).isZero();
        assertThat(stats.runningThreads()).isZero();
    }

    @Test
    void aHandlerBlockedInAReadIsActiveButNotRunning() throws Exception {
        WorkerPoolStats stats = net.group().workerStats();
        Server server = net.startServer(
                (ctx, c) -> {
                    c.reader().next(8); // the client sends 4 bytes, then 4 more
                    c.writer().writeString("done");
                    c.writer().flush();
                },
                Option.handlerMode(HandlerMode.WORKER)); // the worker pool is what these tests observe
        Socket s = net.socket(server.port());
        s.getOutputStream().write(new byte[4]);
        await().atMost(Duration.ofSeconds(10)).until(() -> stats.activeThreads() == 1 && stats.runningThreads() == 0);
        long completed = stats.completedTasks();
        s.getOutputStream().write(new byte[4]);
        assertThat(new String(readFully(s.getInputStream(), 4))).isEqualTo("done");
        await().atMost(Duration.ofSeconds(10)).until(() -> stats.completedTasks() > completed);
        await().atMost(Duration.ofSeconds(10)).until(() -> stats.activeThreads() == 0);
    }

    @Test
    void workBeyondTheParallelismIsQueued() throws Exception {
        WorkerPoolStats stats = net.group().workerStats();
        int parallelism = stats.parallelism();
        CountDownLatch release = new CountDownLatch(1);
        Server server = net.startServer(
                (ctx, c) -> {
                    c.reader().skip(c.reader().len());
                    // Blocks outside netpoll's reads: the pool does not compensate, the worker stays running.
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("never released");
                    }
                },
                Option.handlerMode(HandlerMode.WORKER)); // the worker pool is what these tests observe
        List<OutputStream> clients = new ArrayList<>();
        for (int i = 0; i <= parallelism; i++) {
            clients.add(net.socket(server.port()).getOutputStream());
        }
        try {
            for (int i = 0; i < parallelism; i++) {
                clients.get(i).write(1);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> stats.activeThreads() == parallelism && stats.runningThreads() == parallelism);
            clients.get(parallelism).write(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> stats.queuedTasks() == 1);
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> stats.queuedTasks() == 0
                        && stats.completedTasks() >= parallelism + 1
                        && stats.activeThreads() == 0);
    }
}
