package io.netpoll.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Linux's per-thread scheduler accounting ({@code /proc/self/task/<tid>/schedstat}: time on a
 * CPU, time runnable but waiting for one): tells a handler call that <em>blocked</em> (slept,
 * waited for a lock or for I/O) from one that only ran long (cold code) or was starved of CPU
 * (a pinned core shared with JIT compiler threads or a handshake storm). Only the first should
 * move its connection off the poller. Read on rare paths (a retake), never per call. Elsewhere,
 * and when the file cannot be read, the methods return -1 and callers fall back to wall time.
 * Thread-safe (no state).
 */
final class SchedStat {
    private static final boolean AVAILABLE = Files.isReadable(Path.of("/proc/thread-self/schedstat"));

    private SchedStat() {}

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

    /** Nanoseconds thread {@code tid} of this process has been running or runnable, or -1. */
    static long activeNanos(int tid) {
        if (tid < 0) {
            return -1;
        }
        try {
            String s = new String(
                    Files.readAllBytes(Path.of("/proc/self/task/" + tid + "/schedstat")), StandardCharsets.US_ASCII);
            int a = s.indexOf(' ');
            int b = s.indexOf(' ', a + 1);
            return Long.parseLong(s, 0, a, 10) + Long.parseLong(s, a + 1, b < 0 ? s.length() : b, 10);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
