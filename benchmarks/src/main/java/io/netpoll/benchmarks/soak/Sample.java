package io.netpoll.benchmarks.soak;

/**
 * One sampling point of the soak.
 *
 * @param phase        {@code idle} (before the load), {@code load}, or {@code after} (load stopped)
 * @param seconds      since the load started (negative before it)
 * @param opsPerSecond per workload, in the order of the driver's workload list, over the last interval
 * @param errors       per workload, cumulative
 * @param rssBytes     the application's resident set size, -1 if unknown
 * @param app          the application's meters at this point
 * @param loadAverage  the machine's 1-minute load average
 */
record Sample(
        String phase,
        double seconds,
        double[] opsPerSecond,
        long[] errors,
        long rssBytes,
        AppMetrics app,
        double loadAverage) {}
