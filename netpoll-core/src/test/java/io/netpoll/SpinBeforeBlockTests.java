package io.netpoll;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The pollers' spin before blocking is a group setting (docs/architecture.md, "Spin before
 * blocking"): off by default, bounded, and applied to pollers already running. That an idle poller
 * still sleeps is {@code internal.PollerSpinTests}.
 */
class SpinBeforeBlockTests {

    @Test
    void pollersDoNotSpinByDefaultUnlessTheSystemPropertySaysSo() {
        // A run with -Dnetpoll.poller.spinMicros (to test everything spinning) keeps it afterwards.
        String outside = System.clearProperty("netpoll.poller.spinMicros");
        try {
            try (PollerGroup group = PollerGroup.create(1)) {
                assertThat(PollerGroup.defaultSpinBeforeBlock()).isZero();
                assertThat(group.spinBeforeBlock()).isZero();
                assertThat(group.next().spinNanos()).isZero();
            }
            System.setProperty("netpoll.poller.spinMicros", "20");
            try (PollerGroup group = PollerGroup.create(1)) {
                assertThat(PollerGroup.defaultSpinBeforeBlock()).isEqualTo(Duration.ofNanos(20_000));
                assertThat(group.spinBeforeBlock()).isEqualTo(Duration.ofNanos(20_000));
                assertThat(group.next().spinNanos()).isEqualTo(20_000);
            }
        } finally {
            if (outside != null) {
                System.setProperty("netpoll.poller.spinMicros", outside);
            } else {
                System.clearProperty("netpoll.poller.spinMicros");
            }
        }
    }

    @Test
    void aSpinSetOnTheGroupReachesItsRunningPollersAndItsLaterOnes() {
        try (PollerGroup group = PollerGroup.create(1)) {
            var first = group.next();
            group.setSpinBeforeBlock(Duration.ofNanos(50_000));
            assertThat(first.spinNanos()).isEqualTo(50_000);
            group.setNumLoops(2);
            group.next();
            var second = group.next();
            assertThat(second).isNotSameAs(first);
            assertThat(second.spinNanos()).isEqualTo(50_000);
            group.setSpinBeforeBlock(Duration.ZERO);
            assertThat(first.spinNanos()).isZero();
            assertThat(second.spinNanos()).isZero();
        }
    }

    @Test
    void aNegativeSpinOrOneAboveAMillisecondIsRefused() {
        try (PollerGroup group = PollerGroup.create(1)) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> group.setSpinBeforeBlock(Duration.ofNanos(-1)))
                    .withMessageContaining("between 0 and 1ms");
            assertThatIllegalArgumentException()
                    .isThrownBy(
                            () -> group.setSpinBeforeBlock(Duration.ofMillis(1).plusNanos(1)))
                    .withMessageContaining("between 0 and 1ms");
            group.setSpinBeforeBlock(Duration.ofMillis(1));
            assertThat(group.spinBeforeBlock()).isEqualTo(Duration.ofMillis(1));
        }
    }
}
