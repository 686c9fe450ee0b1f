package io.netpoll.internal;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Linux's schedstat tells running (or waiting for a CPU) from blocked. */
class SchedStatTests {

    @BeforeEach
    void linux() {
        assumeTrue(Files.isReadable(Path.of("/proc/thread-self/schedstat")), "Linux schedstat");
    }

    @Test
    void theCurrentThreadHasATidAndActiveTime() {
        int tid = SchedStat.currentTid();
        assertThat(tid).isPositive();
        assertThat(SchedStat.activeNanos(tid)).isPositive();
        assertThat(SchedStat.activeNanos(-1)).isEqualTo(-1);
        assertThat(SchedStat.activeNanos(Integer.MAX_VALUE))
                .as("no such thread")
                .isEqualTo(-1);
    }

    @Test
    void activeTimeGrowsWhileRunningAndHardlyWhileParked() {
        int tid = SchedStat.currentTid();
        long a = SchedStat.activeNanos(tid);
        long spinUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30);
        long x = 0;
        while (System.nanoTime() < spinUntil) {
            x += System.nanoTime() & 1;
        }
        long b = SchedStat.activeNanos(tid);
        assertThat(b - a).as("active while spinning 30 ms (x=%d)", x).isGreaterThanOrEqualTo(25_000_000L);
        // Blocked (parked): the wall time passes, the active time hardly moves.
        long parkedFrom = System.nanoTime();
        long wanted = TimeUnit.MILLISECONDS.toNanos(60);
        while (System.nanoTime() - parkedFrom < wanted) {
            LockSupport.parkNanos(wanted - (System.nanoTime() - parkedFrom));
        }
        long c = SchedStat.activeNanos(tid);
        assertThat(c - b).as("active while parked 60 ms").isLessThan(20_000_000L);
    }
}
