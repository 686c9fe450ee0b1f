package io.netpoll.buffer;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Tracks a sample of taken owner nodes with weak references. A tracked node released normally
 * drops its record; a tracked node that becomes unreachable while taken is enqueued by the
 * garbage collector and reported the next time a node is tracked. Untracked nodes cost one
 * thread-local random draw at {@link LeakDetection#SAMPLE} and nothing at {@link LeakDetection#DISABLED}.
 */
final class LeakDetector {

    private final LeakDetection level;
    private final Consumer<? super LeakReport> onLeak;
    private final ReferenceQueue<Node> collected = new ReferenceQueue<>();
    private final Set<Record> live = ConcurrentHashMap.newKeySet();
    private final LongAdder leaks = new LongAdder();

    LeakDetector(LeakDetection level, Consumer<? super LeakReport> onLeak) {
        this.level = level;
        this.onLeak = onLeak;
    }

    /** Called when {@code node} is handed out; may attach a record to it. */
    void onTake(Node node, BufferPool pool) {
        if (level == LeakDetection.DISABLED) {
            return;
        }
        if (level == LeakDetection.SAMPLE
                && ThreadLocalRandom.current().nextInt(LeakDetection.SAMPLING_INTERVAL) != 0) {
            return;
        }
        reportCollected(pool);
        Record r = new Record(node, collected, new Throwable("buffer node taken"));
        live.add(r);
        node.leakRecord = r;
    }

    /** Called when {@code node} goes back to the pool. */
    void onRecycle(Node node) {
        Record r = node.leakRecord;
        if (r != null) {
            node.leakRecord = null;
            live.remove(r);
            r.clear();
        }
    }

    LeakDetection level() {
        return level;
    }

    long leaksDetected() {
        return leaks.sum();
    }

    private void reportCollected(BufferPool pool) {
        Record r;
        while ((r = (Record) collected.poll()) != null) {
            if (live.remove(r)) {
                leaks.increment();
                pool.forgetLeaked(r.capacity);
                onLeak.accept(new LeakReport(r.capacity, r.takenAt));
            }
        }
    }

    /** Forces a check of collected records; for tests and for the pool's statistics. */
    void poll(BufferPool pool) {
        if (level != LeakDetection.DISABLED) {
            reportCollected(pool);
        }
    }

    static final class Record extends WeakReference<Node> {
        final int capacity;
        final Throwable takenAt;

        Record(Node node, ReferenceQueue<Node> queue, Throwable takenAt) {
            super(node, queue);
            this.capacity = node.capacity();
            this.takenAt = takenAt;
        }
    }
}
