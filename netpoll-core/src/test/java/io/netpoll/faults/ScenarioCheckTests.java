package io.netpoll.faults;

import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The after-scenario check itself: it must notice what it is there to notice. */
class ScenarioCheckTests {

    @Test
    void reportsAServerThatStillHasAConnectionUntilThePeerLeaves() throws Exception {
        try (PollerGroup group = PollerGroup.create(1);
                Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0")) {
            EventLoop loop = Netpoll.newEventLoop((ctx, c) -> {}, Option.pollerGroup(group));
            Thread serving = new Thread(
                    () -> {
                        try {
                            loop.serve(listener);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    },
                    "scenario-check-test-serve");
            serving.start();
            try (Socket s = new Socket("127.0.0.1", listener.port())) {
                await().atMost(Duration.ofSeconds(5)).until(() -> loop.connectionCount() == 1);
                assertThatThrownBy(() -> ScenarioCheck.after("a test")
                                .eventLoop("echo", loop)
                                .pollers(group, 1)
                                .verify(Duration.ofMillis(100)))
                        .isInstanceOf(AssertionError.class)
                        .hasMessageContaining("after a test")
                        .hasMessageContaining("server echo still has connections")
                        .hasMessageContaining(
                                "2 channels registered with the pollers, expected only the 1 listener(s)");
            }
            ScenarioCheck.after("a test")
                    .eventLoop("echo", loop)
                    .pollers(group, 1)
                    .verify(Duration.ofSeconds(10));
            loop.shutdown(Duration.ofSeconds(1));
            serving.join(5_000);
            assertThat(serving.isAlive()).isFalse();
        }
    }

    @Test
    void reportsPollersThatAreNotRunning() {
        PollerGroup group = PollerGroup.create(2);
        group.close();
        assertThatThrownBy(
                        () -> ScenarioCheck.after("closing").pollers(group, 0).verify(Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("poller threads lost: 0 of 2 running");
        assertThat(group.stats().pollers()).isZero();
    }
}
