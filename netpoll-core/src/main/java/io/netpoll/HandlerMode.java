package io.netpoll;

/**
 * Where an event loop's (or dialer's) handlers run: {@link OnRequest}, {@link OnConnect}.
 * Chosen per server with {@link Option#handlerMode}; the default is {@link #ADAPTIVE}.
 *
 * <p>Threading: each mode still runs one handler call at a time per connection. See
 * docs/guide.md ("Handler modes") for what a handler may do in each.
 */
public enum HandlerMode {
    /**
     * The default. Handlers run on the thread that holds the poller's role, as inline handlers
     * do (no hand-off per message). A handler that waits in netpoll ({@code next(n)} without
     * enough data) first gives the role to a spare thread; a handler that blocks in anything else
     * (a sleep, a blocking connect, JDBC, a lock) has the role taken from it by the poller group's
     * monitor within about 2 ms, so other connections of that poller are delayed by at most
     * that much (up to the spare-thread cap, see docs/reliability.md). A flush never waits for a
     * peer that does not read: the poller sends the rest when the socket becomes writable, and
     * the connection is neither read nor dispatched while its unsent output is above a high-water
     * mark; it is closed only at {@link Option#maxOutputBuffer}.
     */
    ADAPTIVE,
    /**
     * Handlers run on an executor: the poller group's worker pool, or {@link Option#executor}'s.
     * One thread hand-off per dispatch; a handler may block (a thread per blocked handler), and a
     * flush waits for the peer up to {@link Option#writeTimeout}.
     */
    WORKER,
    /**
     * Handlers run on the poller thread and must never block: a read that would have to wait
     * throws {@link IllegalStateException}, a flush never waits (the poller sends the rest), and
     * blocking in anything else holds up every connection of that poller.
     */
    INLINE
}
