package io.netpoll;

import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SelectorRebuildTest extends NetTestSupport {

    @Test
    void rebuildingTheSelectorKeepsListenersConnectionsAndPendingWrites() throws Exception {
        PollerGroup one = closeLater(PollerGroup.create(1));
        Listener listener = closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        EventLoop loop = Netpoll.newEventLoop(NetTestSupport::echo, Option.pollerGroup(one), Option.idleTimeout(Duration.ofMinutes(1)));
        Thread serving = new Thread(() -> {
            try {
                loop.serve(listener);
            } catch (java.io.IOException ignored) {
                // shut down
            }
        });
        serving.start();
        Socket before = socket(listener.port());
        before.getOutputStream().write(1);
        assertThat(before.getInputStream().read()).isEqualTo(1);

        one.next().rebuildSelectorSoon();
        await().atMost(Duration.ofSeconds(5)).until(() -> one.stats().selectorRebuilds() == 1);

        before.getOutputStream().write(2); // an existing connection still reads and writes
        assertThat(before.getInputStream().read()).isEqualTo(2);
        Socket after = socket(listener.port()); // the listener still accepts
        after.getOutputStream().write(3);
        assertThat(after.getInputStream().read()).isEqualTo(3);
        assertThat(one.stats().registrations()).isEqualTo(3);
        loop.shutdown(Duration.ofSeconds(1));
        serving.join(5_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> one.stats().registrations() == 0); // the acceptor's new key too
    }
}
