package io.netpoll.internal;

/** What a connection reports to whoever created it (an event loop or a dialer). */
public interface ConnOwner {
    Counters counters();

    /** What a handler exception does (the owner's hook, counting, rate-limited logging). */
    ErrorPolicy errors();

    /** The connection has finished closing (callbacks ran, memory returned). */
    void onFinished(NioConnection connection);

    /** True while a graceful shutdown wants connections closed as soon as their handler is idle. */
    boolean draining();
}
