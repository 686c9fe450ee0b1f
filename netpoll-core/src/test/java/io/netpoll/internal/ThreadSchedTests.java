package io.netpoll.internal;

import io.netpoll.internal.ThreadSched.Look;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Linux's per-thread files tell a thread that blocks from one that runs (or waits for a CPU). */
class ThreadSchedTests {
    private static final long MS = 1_000_000;

    @BeforeEach
    void linux() {
        assumeTrue(Files.isReadable(Path.of("/proc/thread-self/schedstat")), "Linux /proc");
    }

    @Test
    void theCurrentThreadHasATidAndIsNotBlockedWhileItLooksAtItself() {
        int tid = ThreadSched.currentTid();
        assertThat(tid).isPositive();
        Look look = ThreadSched.look(tid);
        assertThat(look).isNotNull();
        assertThat(look.blocked()).as("running").isFalse();
        assertThat(look.activeNanos()).isPositive();
        assertThat(ThreadSched.look(-1)).isNull();
        assertThat(ThreadSched.look(Integer.MAX_VALUE)).as("no such thread").isNull();
    }

    @Test
    void aParkedThreadIsBlockedASpinningOneIsNotAndWaitingTwiceSinceIsBlocking() throws Exception {
        AtomicInteger tid = new AtomicInteger(-1);
        AtomicBoolean spin = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            tid.set(ThreadSched.currentTid());
            started.countDown();
            long x = 0;
            while (!stop.get()) {
                if (spin.get()) {
                    x += System.nanoTime() & 1;
                } else {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
            }
            assertThat(x).isNotNegative();
        });
        t.setDaemon(true);
        t.start();
        try {
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            // Conditions, not snapshots: a running thread may be caught waking up, or stopped for a safepoint.
            await().atMost(Duration.ofSeconds(10)).until(() -> look(tid).blocked());
            Look parked = look(tid);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> look(tid).atNanos() - parked.atNanos() >= 20 * MS + ThreadSched.TICK_SLACK_NANOS);
            assertThat(ThreadSched.blockedBetween(parked, look(tid), 20 * MS))
                    .as("found blocked, and parked since")
                    .isTrue();
            spin.set(true);
            LockSupport.unpark(t);
            await().atMost(Duration.ofSeconds(10)).until(() -> !look(tid).blocked());
            Look spinning = look(tid);
            assertThat(ThreadSched.blockedBetween(spinning, spinning, 0))
                    .as("running, no wait since")
                    .isFalse();
            spin.set(false);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> look(tid).voluntarySwitches() >= spinning.voluntarySwitches() + 2);
            assertThat(ThreadSched.blockedBetween(spinning, look(tid), Long.MAX_VALUE / 2))
                    .as("has waited twice since a look that found it running")
                    .isTrue();
        } finally {
            stop.set(true);
            LockSupport.unpark(t);
            t.join(10_000);
        }
    }

    @Test
    void aThreadFoundStoppedThatThenRunsOrWaitsOnceHasNotBlocked() {
        Look stopped = new Look(true, 10, 0, 0);
        // Ran (or waited for a CPU) for all but 5 ms of the next 100 ms, within the tick slack: a safepoint, then work.
        assertThat(ThreadSched.blockedBetween(stopped, new Look(false, 10, 95 * MS, 100 * MS), MS))
                .isFalse();
        assertThat(ThreadSched.blockedBetween(stopped, new Look(false, 11, 95 * MS, 100 * MS), MS))
                .as("one wait: a safepoint stops even a thread that only computes")
                .isFalse();
        assertThat(ThreadSched.blockedBetween(stopped, new Look(false, 10, 50 * MS, 100 * MS), MS))
                .as("blocked for 50 ms after the look")
                .isTrue();
        Look running = new Look(false, 10, 0, 0);
        assertThat(ThreadSched.blockedBetween(running, new Look(false, 10, 0, 100 * MS), MS))
                .as("found running: schedstat's wait for a CPU may be added later, the wall time says nothing")
                .isFalse();
        assertThat(ThreadSched.blockedBetween(running, new Look(false, 12, 0, 100 * MS), MS))
                .isTrue();
    }

    @Test
    void aThreadFoundBlockedTwiceWithNoWaitBetweenWasBlockedThroughout() {
        Look blocked = new Look(true, 10, 5 * MS, 0);
        assertThat(ThreadSched.blockedThroughout(blocked, new Look(true, 10, 5 * MS, 2 * MS), MS))
                .isTrue();
        assertThat(ThreadSched.blockedThroughout(blocked, new Look(true, 10, 5 * MS, MS / 2), MS))
                .as("not for long enough")
                .isFalse();
        assertThat(ThreadSched.blockedThroughout(blocked, new Look(true, 11, 5 * MS, 2 * MS), MS))
                .as("woke and waited again in between: it may have run")
                .isFalse();
        assertThat(ThreadSched.blockedThroughout(blocked, new Look(false, 10, 5 * MS, 2 * MS), MS))
                .as("running or runnable now")
                .isFalse();
        assertThat(ThreadSched.blockedThroughout(
                        new Look(false, 10, 5 * MS, 0), new Look(true, 10, 5 * MS, 2 * MS), MS))
                .as("running at the first look")
                .isFalse();
    }

    private static Look look(AtomicInteger tid) {
        Look look = ThreadSched.look(tid.get());
        assertThat(look).isNotNull();
        return look;
    }
}
