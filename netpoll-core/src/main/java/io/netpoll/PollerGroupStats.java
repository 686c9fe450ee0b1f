package io.netpoll;

/** Read-only gauges of a {@link PollerGroup}. Thread-safe; values are approximate under load. */
public interface PollerGroupStats {
    /** Poller threads running: started, not stopped, and alive (a poller thread that died is not counted). */
    int pollers();

    /** Tasks queued for the pollers and not yet run (registrations, closes, write interest). */
    long pendingTasks();

    /** Channels (connections and listeners) registered with the pollers. */
    long registrations();

    /** Times a selector was rebuilt because it returned early without events (the JDK epoll spin bug). */
    long selectorRebuilds();

    /**
     * Handler calls that held their thread longer than the blocked-thread threshold
     * ({@code -Dnetpoll.handler.blockedThresholdMs}, default 1000 ms): adaptive calls, and tasks of
     * the group's worker pool (worker-mode handlers, callbacks) and of its offload pool; waits in
     * netpoll ({@code next(n)}, a flush waiting for the peer) do not count. Each call is counted
     * once and the first in every 10 s is logged with its stack.
     */
    long handlersBlocked();

    /**
     * Times a poller's role moved to another thread because a handler blocked (taken by the
     * monitor) or was about to wait for data (handed off by the handler).
     */
    long roleHandOffs();

    /**
     * Threads that can hold a poller role: one per poller, spares parked for hand-offs, and
     * threads finishing a blocked handler after losing their role.
     */
    int roleThreads();

    /**
     * Threads of the offload pool: the executor of {@link HandlerMode#ADAPTIVE} connections whose
     * handlers block outside netpoll ({@link NetStats#handlersOffloaded()}). It adds a thread for
     * each queued connection when its running ones are blocked, up to
     * {@code -Dnetpoll.handler.maxOffloadThreads} (default 256); idle threads exit after 30 s.
     */
    default int offloadThreads() {
        return 0;
    }
}
