package io.netpoll;

import org.jspecify.annotations.Nullable;

/**
 * A live, read-only view of one poller of a {@link PollerGroup} ({@link PollerGroup#pollerStats()}),
 * for metrics, the operator view and health checks.
 *
 * <p>Threading: thread-safe; each call reads the poller's current values (numbers read one after
 * another may belong to slightly different moments). Cost: nothing is measured per request; the
 * poller stores one timestamp per loop turn and a reference per handler turn or task.
 * {@link #loopLagNanos()} queues one small probe task when none is in flight. The view stays
 * valid after the poller stops (its values then stop changing).
 */
public interface PollerStats {
    /** The poller's index in its group (0-based; bounded by the number of pollers). */
    int index();

    /** The poller's name ({@code netpoll-<group>-poller-<index>}), also its thread's name while a thread holds it. */
    String name();

    /** Name of the thread that holds the poller's role now, or null before one took it. */
    @Nullable String threadName();

    /**
     * The role's status: {@code running} (the loop runs), {@code in-handler} (inside an adaptive
     * handler call) or {@code handed-off} (taken from a blocked handler; a spare thread takes over).
     */
    String roleState();

    /** Channels (connections and listeners) registered with this poller. */
    int registrations();

    /** Tasks queued for this poller and not yet run. */
    int pendingTasks();

    /**
     * Time from a task being queued to it running, measured with a probe task (queued by this
     * call when none is in flight): the last probe's value, or the age of the probe still queued
     * if longer, so a poller held up by a handler or task shows a growing lag.
     */
    long loopLagNanos();

    /**
     * Nanoseconds since the poller's loop last came back from {@code select}, or 0 while it waits
     * in {@code select} (an idle poller is not late). Grows while a handler or task holds the loop:
     * in {@link HandlerMode#ADAPTIVE} a blocked handler's role goes to a spare thread, whose loop
     * selects again, so only a poller that cannot be handed off (an {@link HandlerMode#INLINE}
     * handler, a poller task, the spare-thread cap reached) stays high.
     */
    long nanosSinceSelect();

    /** Times this poller's selector was rebuilt because it returned early without events. */
    long selectorRebuilds();

    /**
     * What the loop runs now outside {@code select}, for diagnostics: {@code "connection <id>
     * <remote address>"} for a handler turn, {@code "task <class>"} for a poller task, or null.
     * Best effort: read without synchronisation.
     */
    @Nullable String runningNow();
}
