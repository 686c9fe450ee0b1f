package io.netpoll.internal;

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

/**
 * The monitor takes the role from a call found unmoved at once when its thread is blocked, and
 * only after a grace when it is runnable: a call preempted on a busy core (by the JIT compiler, a
 * neighbour) resumes by itself, and a spare thread would only compete for that core.
 */
class SysmonRetakeTests {
    private static final long MS = 1_000_000;

    @BeforeEach
    void linux() {
        assumeTrue(Files.isReadable(Path.of("/proc/thread-self/schedstat")), "Linux /proc");
    }

    @Test
    void aCallWhoseThreadIsBlockedIsRetakenAtOnceOneThatRunsOnlyAfterTheGrace() throws Exception {
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
        Sysmon sysmon = Sysmon.create("retake-test-");
        RoleThread handler = new RoleThread(sysmon, "retake-test-spare", null); // never started: a view of t
        try {
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            handler.tid = tid.get();

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ThreadSched.look(tid.get()).blocked());
            long now = System.nanoTime();
            assertThat(Sysmon.retakeNow(handler, 1, now)).as("blocked: at once").isTrue();
            assertThat(handler.retakenAt).isEqualTo(now);
            assertThat(handler.lookAtRetake.blocked()).isTrue();

            spin.set(true);
            LockSupport.unpark(t);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !ThreadSched.look(tid.get()).blocked());
            // A spinning thread may still be caught stopped at a safepoint: then it counts as
            // blocked and is retaken at once, which the first half shows; try a few calls.
            boolean graced = false;
            for (long call = 3; call < 23 && !graced; call += 2) {
                long first = System.nanoTime();
                handler.retakenAt = 0;
                if (!Sysmon.retakeNow(handler, call, first)) {
                    graced = true;
                    assertThat(handler.retakenAt).as("not taken").isZero();
                    assertThat(Sysmon.retakeNow(handler, call, first + 2 * MS))
                            .as("runnable, within the grace")
                            .isFalse();
                    assertThat(Sysmon.retakeNow(handler, call, first + Sysmon.RUNNABLE_GRACE_NANOS))
                            .as("runnable past the grace: taken")
                            .isTrue();
                    assertThat(handler.retakenAt).isEqualTo(first + Sysmon.RUNNABLE_GRACE_NANOS);
                    assertThat(handler.lookAtRetake).isNotNull();
                }
            }
            assertThat(graced).as("a running call kept its role for the grace").isTrue();
        } finally {
            stop.set(true);
            LockSupport.unpark(t);
            t.join(10_000);
        }
    }
}
