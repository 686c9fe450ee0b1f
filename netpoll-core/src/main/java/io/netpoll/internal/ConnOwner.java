package io.netpoll.internal;

/** What a connection reports to whoever created it (an event loop or a dialer). */
public interface ConnOwner {
    Counters counters();

    /** The connection has finished closing (callbacks ran, memory returned). */
    void onFinished(NioConnection connection);

    /** True while a graceful shutdown wants connections closed as soon as their handler is idle. */
    boolean draining();
}
