package io.netpoll.buffer;

/**
 * A node that the garbage collector reclaimed while it was still taken from its pool: somebody
 * dropped a buffer without closing or releasing it.
 *
 * @param capacity the node's size in bytes
 * @param takenAt  where the node was taken from the pool (its stack trace is the clue)
 */
public record LeakReport(int capacity, Throwable takenAt) {

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("LEAK: a ")
                .append(capacity)
                .append("-byte buffer node was garbage-collected without being released. "
                        + "Close or release every LinkBuffer you own. It was taken at:");
        for (StackTraceElement e : takenAt.getStackTrace()) {
            sb.append("\n\tat ").append(e);
        }
        return sb.toString();
    }
}
