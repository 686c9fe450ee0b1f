package io.netpoll.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a thread <em>blocked</em> (slept, waited for a lock or for I/O) or only ran long or
 * waited for a CPU, from Linux's per-thread files under {@code /proc/self/task/<tid>/}: its
 * scheduler state ({@code S} sleeping or {@code D} in uninterruptible I/O, against {@code R}
 * running or runnable) and its count of voluntary context switches (the times it gave up its
 * CPU to wait for something; being preempted is not one) from {@code status}, and the time it
 * ran or waited for a CPU from {@code schedstat}. Used on the rare path of a retake (never per
 * call) to tell a handler call that blocks from one that ran cold code or was starved of CPU.
 *
 * <p>Why not {@code schedstat} alone: the kernel adds a wait for a CPU to it only when the wait
 * ends, so for a thread found waiting for one, the part of the wait before the look counts as
 * time after it (its blocking is under-measured). It is exact, though, from a moment the thread
 * was found blocked ({@link #blockedBetween}).
 *
 * <p>Elsewhere (no {@code /proc}), and when the files cannot be read, {@link #look} returns null
 * and callers decide by wall time alone. Thread-safe (no state).
 */
final class ThreadSched {
    private static final boolean AVAILABLE = Files.isReadable(Path.of("/proc/thread-self/status"))
            && Files.isReadable(Path.of("/proc/thread-self/schedstat"));
    private static final String VOLUNTARY = "\nvoluntary_ctxt_switches:";
    private static final String STATE = "\nState:";
    /** The longest a running thread's time may lag in schedstat: one scheduler tick at HZ=100. */
    static final long TICK_SLACK_NANOS = 10_000_000;

    /**
     * One look at a thread.
     *
     * @param blocked waiting for something (sleeping, parked, in I/O), not running or runnable
     * @param voluntarySwitches the times it has given up its CPU to wait, so far
     * @param activeNanos the time it has run or waited for a CPU, so far (see the class comment)
     * @param atNanos {@link System#nanoTime()} of the look
     */
    record Look(boolean blocked, long voluntarySwitches, long activeNanos, long atNanos) {}

    private ThreadSched() {}

    /** The calling thread's Linux thread id, or -1. */
    static int currentTid() {
        if (!AVAILABLE) {
            return -1;
        }
        try {
            // "/proc/thread-self" -> "<pid>/task/<tid>"
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self"))
                    .getFileName()
                    .toString());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** One look at thread {@code tid} of this process, or null if nothing can be known. */
    static Look look(int tid) {
        if (tid < 0) {
            return null;
        }
        try {
            String dir = "/proc/self/task/" + tid + "/";
            long at = System.nanoTime();
            String status = read(dir + "status");
            String schedstat = read(dir + "schedstat");
            int st = status.indexOf(STATE);
            int vo = status.indexOf(VOLUNTARY);
            if (st < 0 || vo < 0) {
                return null;
            }
            char state = firstNonBlank(status, st + STATE.length());
            // schedstat: "<ns on a CPU> <ns waiting for a CPU> <timeslices>"
            int a = schedstat.indexOf(' ');
            int b = schedstat.indexOf(' ', a + 1);
            long active = Long.parseLong(schedstat, 0, a, 10)
                    + Long.parseLong(schedstat, a + 1, b < 0 ? schedstat.trim().length() : b, 10);
            return new Look(state == 'S' || state == 'D', number(status, vo + VOLUNTARY.length()), active, at);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether the thread blocked between two looks: it has given up its CPU to wait at least twice
     * since the first (once is not enough: a thread that only computes still waits once when the
     * JVM stops every thread for a safepoint, a GC or a deoptimization); or the first found it
     * blocked and, by schedstat, it stayed so for {@code minNanos} or more. From a blocked look
     * schedstat is exact, but for the kernel's lag in adding a running thread's time (up to a
     * scheduler tick, {@link #TICK_SLACK_NANOS}): so a thread caught stopped for a safepoint that
     * then computes has not blocked.
     */
    static boolean blockedBetween(Look first, Look second, long minNanos) {
        if (second.voluntarySwitches() - first.voluntarySwitches() >= 2) {
            return true;
        }
        if (!first.blocked()) {
            return false;
        }
        long wall = second.atNanos() - first.atNanos();
        return wall - (second.activeNanos() - first.activeNanos()) >= minNanos + TICK_SLACK_NANOS;
    }

    /**
     * Whether the thread was blocked all the time between two looks, for {@code minNanos} or
     * more: both found it blocked and it has not given up its CPU since the first (waking from a
     * wait and waiting again is a second voluntary switch), so it never ran in between. Exact,
     * unlike {@link #blockedBetween}: neither schedstat's lag nor a wait for a CPU enters it; a
     * safepoint cannot span two looks, since the looking thread runs Java code between them.
     */
    static boolean blockedThroughout(Look first, Look second, long minNanos) {
        return first.blocked()
                && second.blocked()
                && second.voluntarySwitches() == first.voluntarySwitches()
                && second.atNanos() - first.atNanos() >= minNanos;
    }

    private static String read(String file) throws IOException {
        return new String(Files.readAllBytes(Path.of(file)), StandardCharsets.US_ASCII);
    }

    private static long number(String s, int from) {
        while (from < s.length() && Character.isWhitespace(s.charAt(from))) {
            from++;
        }
        int to = from;
        while (to < s.length() && Character.isDigit(s.charAt(to))) {
            to++;
        }
        return Long.parseLong(s, from, to, 10);
    }

    private static char firstNonBlank(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c;
            }
        }
        return '?';
    }
}
