package io.netpoll.internal;

import io.netpoll.Connection;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.PollerGroup;
import io.netpoll.ServerConfig;
import io.netpoll.buffer.Reader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Adaptive mode: the monitor may take the role from a handler between the handler's "do I hold
 * the role?" check and its hand-off before a wait (a handler descheduled there, as on a loaded
 * machine, looks blocked). The hand-off must then report that the role is gone, so the handler
 * waits as a plain worker. It used to answer "cannot hand off", which {@code next(n)} took for an
 * inline handler and threw {@code IllegalStateException}: the connection closed as after a
 * handler error (seen as a flaky {@code PeerResetFaultTest} under load).
 *
 * <p>The window is made deterministic: the handler blocks (foreign blocking) until the monitor
 * has taken its role, then calls what {@code next(n)} and a flush to another connection call
 * after their check.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RoleHandOffRaceTests {

    @Test
    void aHandOffAfterTheMonitorTookTheRoleReportsTheRoleGoneAndTheHandlerWaitsAsAWorker() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch roleTaken = new CountDownLatch(1);
        AtomicReference<Poller> poller = new AtomicReference<>();
        AtomicReference<Thread> handlerThread = new AtomicReference<>();
        CompletableFuture<String> seen = new CompletableFuture<>();

        PollerGroup group = PollerGroup.create(1);
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        EventLoop loop = Netpoll.newEventLoop(
                (Object ctx, Connection c) -> {
                    Reader r = c.reader();
                    if (handlerThread.compareAndSet(null, Thread.currentThread())) {
                        Poller p = ((NioConnection) c).poller;
                        boolean heldAtStart = p.inPoller();
                        poller.set(p);
                        inHandler.countDown();
                        try {
                            // Foreign blocking: the monitor takes the role meanwhile.
                            if (!roleTaken.await(20, TimeUnit.SECONDS)) {
                                seen.completeExceptionally(new AssertionError("the role was never taken"));
                                return;
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        seen.complete("heldAtStart=" + heldAtStart
                                + " handOffForWait=" + p.handOffForWait()
                                + " handOffForFlush=" + p.handOffForFlush());
                    }
                    // The wait itself: for the rest of the 4-byte frame, as a plain worker.
                    ByteBuffer frame = r.next(4);
                    c.writer().writeBinary(frame);
                    c.writer().flush();
                },
                ServerConfig.builder().pollerGroup(group).build());
        CompletableFuture<Void> serving = loop.serveAsync(listener);
        try (Socket s = new Socket("127.0.0.1", listener.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[] {1, 2});
            assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
            // The monitor's retake: IN_HANDLER -> RETAKEN, a spare takes over.
            await().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> poller.get().state() == Poller.RETAKEN
                            || poller.get().holder() != handlerThread.get());
            roleTaken.countDown();

            assertThat(seen.get(10, TimeUnit.SECONDS))
                    .isEqualTo("heldAtStart=true handOffForWait=true handOffForFlush=" + Poller.HANDED_OFF);
            s.getOutputStream().write(new byte[] {3, 4});
            assertThat(s.getInputStream().readNBytes(4)).containsExactly(1, 2, 3, 4);
            assertThat(loop.stats().handlerErrors()).isZero();
            assertThat(loop.stats().connectionsActive()).isEqualTo(1);
        } finally {
            loop.shutdown(Duration.ofSeconds(2));
            serving.get(10, TimeUnit.SECONDS);
            group.close();
        }
    }
}
