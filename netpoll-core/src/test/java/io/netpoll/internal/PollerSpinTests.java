package io.netpoll.internal;

import io.netpoll.Connection;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.PollerGroup;
import io.netpoll.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A poller that just served requests polls without blocking for a moment before it blocks in
 * select (docs/architecture.md, "Spin before blocking"); the adversary is a spin that does not
 * end: a poller whose traffic stopped must block (sleep in the kernel), not burn its core.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollerSpinTests {

    @Test
    void aPollerWhoseTrafficStoppedBlocksInsteadOfSpinning() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/thread-self/status")), "Linux /proc");
        AtomicReference<Thread> pollerThread = new AtomicReference<>();
        PollerGroup group = PollerGroup.create(1);
        group.setSpinBeforeBlock(Duration.ofNanos(20_000));
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        EventLoop loop = Netpoll.newEventLoop(
                (Object ctx, Connection c) -> {
                    pollerThread.compareAndSet(null, Thread.currentThread()); // adaptive: the role's thread
                    c.writer().writeBinary(c.reader().next(1));
                    c.writer().flush();
                },
                ServerConfig.builder().pollerGroup(group).build());
        CompletableFuture<Void> serving = loop.serveAsync(listener);
        try (Socket s = new Socket("127.0.0.1", listener.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 2_000; i++) {
                out.write(i);
                assertThat(in.read()).isEqualTo(i & 0xff);
            }
            assertThat(pollerThread.get()).isInstanceOf(RoleThread.class);
            RoleThread poller = (RoleThread) pollerThread.get();
            assertThat(poller.tid).isPositive();
            // Busy turns just ended: within moments the loop must be asleep in select.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                ThreadSched.Look look = ThreadSched.look(poller.tid);
                return look != null && look.blocked();
            });
            // And stay asleep: over the next 50 ms it runs for moments at most (the idle wheel and
            // timers may wake it; a spinning loop would run all the time).
            ThreadSched.Look first = ThreadSched.look(poller.tid);
            AtomicReference<ThreadSched.Look> later = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                later.set(ThreadSched.look(poller.tid));
                return later.get().atNanos() - first.atNanos() >= TimeUnit.MILLISECONDS.toNanos(50);
            });
            ThreadSched.Look second = later.get();
            assertThat(second.activeNanos() - first.activeNanos())
                    .as("CPU (and run-queue) time of the idle poller over 50 ms")
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(10));
        } finally {
            loop.shutdown(Duration.ofSeconds(5));
            serving.get(10, TimeUnit.SECONDS);
            group.close();
        }
    }
}
