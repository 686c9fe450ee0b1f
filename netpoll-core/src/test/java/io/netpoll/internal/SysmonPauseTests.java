package io.netpoll.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The monitor does not take a poller's role after a pause of the whole process (a GC or safepoint
 * stops the handler and the monitor alike, so a call that did not move may not have blocked),
 * and a monitor that is late every time still judges every other tick.
 */
class SysmonPauseTests {

    private static final long TICK = Sysmon.TICK_NANOS;

    @Test
    void aLookOnTimeJudges() {
        assertThat(Sysmon.judges(true, 1_000, 1_000 + TICK, TICK)).isTrue();
        assertThat(Sysmon.judges(true, 1_000, 1_000 + 2 * TICK, TICK)).isTrue();
    }

    @Test
    void theFirstLookJudges() {
        assertThat(Sysmon.judges(true, 0, 123_456_789, TICK)).isTrue();
    }

    @Test
    void aLookAfterAPauseDoesNotJudge() {
        assertThat(Sysmon.judges(true, 1_000, 1_000 + 2 * TICK + 1, TICK)).isFalse();
        assertThat(Sysmon.judges(true, 1_000, 1_000 + 50 * TICK, TICK)).isFalse();
    }

    @Test
    void aMonitorLateEveryTimeStillJudgesEveryOtherLook() {
        boolean judged = true;
        long last = 0;
        long now = 1_000;
        int judgedLooks = 0;
        for (int i = 0; i < 10; i++) {
            judged = Sysmon.judges(judged, last, now, TICK);
            judgedLooks += judged ? 1 : 0;
            last = now;
            now += 5 * TICK;
        }
        assertThat(judgedLooks).isEqualTo(5); // looks 0, 2, 4, 6, 8
    }
}
