package io.netpoll.buffer;

/**
 * A {@link BufferPool} refused memory because its direct-memory budget
 * ({@link BufferPool.Builder#maxDirectBytes(long)}) is reached. Thrown by any buffer operation
 * that needs new memory: {@link Writer#malloc}, the {@code write*} methods, a {@link Reader} read
 * that copies across nodes, {@link LinkBuffer#fillFrom}. Nothing was written or read by the call
 * that threw; the buffer stays usable and a later call succeeds once memory is back.
 *
 * <p>A handler that gets it while writing should give up the request (the connection is then
 * closed as after any handler error): waiting for memory inside a handler could wait for memory
 * that only this handler's progress frees. A reader of a socket (the poller) instead stops
 * reading that socket and asks to be told when memory comes back with
 * {@link #onMemoryAvailable(Runnable)}.
 *
 * <p>Thrown without a stack trace on the read path (it is expected there, and cheap to throw).
 */
public final class BufferBudgetExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient BufferPool pool;
    private final long requestedBytes;
    private final long heldBytes;
    private final boolean reserveProtected;

    BufferBudgetExceededException(
            BufferPool pool, long requestedBytes, long heldBytes, boolean reserveProtected, boolean stackTrace) {
        super(message(pool, requestedBytes, heldBytes, reserveProtected), null, false, stackTrace);
        this.pool = pool;
        this.requestedBytes = requestedBytes;
        this.heldBytes = heldBytes;
        this.reserveProtected = reserveProtected;
    }

    private static String message(BufferPool pool, long requested, long held, boolean reserve) {
        return reserve
                ? "netpoll buffer memory: a reader already holding " + held + " unread bytes may not take "
                        + requested + " more from the last eighth of the budget of " + pool.maxDirectBytes()
                        + " bytes (netpoll.buffer.max-direct-memory)"
                : "netpoll buffer memory budget of " + pool.maxDirectBytes() + " bytes exhausted: " + requested
                        + " more bytes requested (netpoll.buffer.max-direct-memory)";
    }

    /** The bytes the refused call asked for. */
    public long requestedBytes() {
        return requestedBytes;
    }

    /**
     * The unread bytes the refused reader already held (0 for writers). A reader holding at least
     * {@link BufferPool#HEAVY_READER_BYTES} is refused before the budget is full, so that the last
     * eighth stays for connections that hold little.
     */
    public long heldBytes() {
        return heldBytes;
    }

    /** True if the refusal kept the budget's reserve for light connections (the budget itself is not full). */
    public boolean isReserveProtected() {
        return reserveProtected;
    }

    /**
     * Runs {@code callback} once, on the thread that gives memory back, when the pool may serve
     * this request again (for a reserve refusal: once the memory in use is below thirteen
     * sixteenths of the budget, so that a hoarder is not woken for every block given back). Registering the same callback object twice runs it once. The callback must be
     * quick and must not block nor allocate from the pool: hand off to your own thread (a poller
     * queues a task). It may run at once, on the calling thread, if memory came back already.
     */
    public void onMemoryAvailable(Runnable callback) {
        pool.awaitMemory(callback, reserveProtected);
    }
}
