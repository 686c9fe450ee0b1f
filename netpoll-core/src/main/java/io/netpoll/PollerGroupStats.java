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
}
