package io.netpoll.buffer;

import java.util.Locale;

/**
 * How closely a {@link BufferPool} watches for leaked nodes: memory taken from the pool whose
 * buffer was dropped without {@link LinkBuffer#close() close} or {@link LinkBuffer#release()
 * release}, so that the garbage collector, not the pool, got it back.
 *
 * <p>The default comes from the system property {@code netpoll.leakDetection.level}
 * ({@code disabled}, {@code sample}, {@code paranoid}); without it, {@link #SAMPLE}.
 */
public enum LeakDetection {
    /** No tracking, no cost. */
    DISABLED,
    /**
     * One node in {@value #SAMPLING_INTERVAL}, chosen at random, is tracked with the stack where it was taken: cheap
     * enough for production, and a real leak is still reported after a while.
     */
    SAMPLE,
    /** Every node is tracked: for tests. Costs a stack trace per node taken. */
    PARANOID;

    /** One tracked node in this many, at {@link #SAMPLE}. */
    public static final int SAMPLING_INTERVAL = 1024;

    static LeakDetection fromSystemProperty() {
        String level = System.getProperty("netpoll.leakDetection.level");
        if (level == null || level.isBlank()) {
            return SAMPLE;
        }
        try {
            return valueOf(level.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "netpoll.leakDetection.level must be one of disabled, sample, " + "paranoid: " + level, e);
        }
    }
}
