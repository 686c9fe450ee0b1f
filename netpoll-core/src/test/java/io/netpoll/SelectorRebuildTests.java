package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SelectorRebuildTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    @Test
    void rebuildingTheSelectorKeepsListenersConnectionsAndPendingWrites() throws Exception {
        PollerGroup one = net.closeLater(PollerGroup.create(1));
        Server server = net.echoServer(Option.pollerGroup(one), Option.idleTimeout(Duration.ofMinutes(1)));
        EventLoop loop = server.loop();
        Listener listener = server.listener();
        Socket before = net.socket(listener.port());
        before.getOutputStream().write(1);
        assertThat(before.getInputStream().read()).isEqualTo(1);

        one.next().rebuildSelectorSoon();
        await().atMost(Duration.ofSeconds(5)).until(() -> one.stats().selectorRebuilds() == 1);

        before.getOutputStream().write(2); // an existing connection still reads and writes
        assertThat(before.getInputStream().read()).isEqualTo(2);
        Socket after = net.socket(listener.port()); // the listener still accepts
        after.getOutputStream().write(3);
        assertThat(after.getInputStream().read()).isEqualTo(3);
        assertThat(one.stats().registrations()).isEqualTo(3);
        loop.shutdown(Duration.ofSeconds(1));
        server.serving().get(5, java.util.concurrent.TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> one.stats().registrations() == 0); // the acceptor's new key too
    }

    @Test
    void interruptingAPollerThreadNeitherSpinsNorRebuilds() throws Exception {
        PollerGroup one = net.closeLater(PollerGroup.create(1));
        Server server = net.echoServer(Option.pollerGroup(one));
        EventLoop loop = server.loop();
        Listener listener = server.listener();
        Socket s = net.socket(listener.port());
        s.getOutputStream().write(1);
        assertThat(s.getInputStream().read()).isEqualTo(1);
        String prefix = one.toString().replace("PollerGroup-", "netpoll-").replaceAll("\\[.*", "") + "-poller-";
        // A retake (a first call slowed by class loading) renames the old thread before its
        // successor takes the name: wait for the thread that holds the name now.
        Thread poller = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> Thread.getAllStackTraces().keySet().stream()
                                .filter(t -> t.getName().startsWith(prefix))
                                .findFirst(),
                        java.util.Optional::isPresent)
                .orElseThrow();
        for (int i = 0; i < 3; i++) {
            poller.interrupt();
            s.getOutputStream().write(2 + i);
            assertThat(s.getInputStream().read()).isEqualTo(2 + i);
        }
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        @SuppressWarnings("deprecation")
        long cpuBefore = mx.getThreadCpuTime(poller.getId());
        new java.util.concurrent.CountDownLatch(1)
                .await(200, java.util.concurrent.TimeUnit.MILLISECONDS); // idle window
        @SuppressWarnings("deprecation")
        long cpuAfter = mx.getThreadCpuTime(poller.getId());
        assertThat(cpuAfter - cpuBefore)
                .as("poller CPU while idle after interrupts (ns)")
                .isLessThan(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(one.stats().selectorRebuilds()).isZero();
        loop.shutdown(Duration.ofSeconds(1));
    }
}
