package io.netpoll.benchmarks.soak;

import java.util.SplittableRandom;

/**
 * Random sizes and contents for requests. Sizes are skewed as real traffic is: mostly small,
 * some of a few KiB, a few large enough to span several buffer nodes and socket reads.
 *
 * <p>Stateless; callers pass their own (thread-confined) random generator.
 */
final class Payloads {

    private Payloads() {}

    /** 1 B to {@code max}: 60 % up to 128 B, 30 % up to 4 KiB, 10 % up to {@code max}. */
    static int size(SplittableRandom rnd, int max) {
        int p = rnd.nextInt(100);
        int limit = p < 60 ? 128 : p < 90 ? 4096 : max;
        return 1 + rnd.nextInt(Math.min(limit, max));
    }

    /** Fills {@code bytes[0..n)} with random bytes, all 256 values possible (binary-safe checks). */
    static void fill(SplittableRandom rnd, byte[] bytes, int n) {
        int i = 0;
        while (i < n) {
            long r = rnd.nextLong();
            for (int k = 0; k < 8 && i < n; k++, r >>>= 8) {
                bytes[i++] = (byte) r;
            }
        }
    }
}
