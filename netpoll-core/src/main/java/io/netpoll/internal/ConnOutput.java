package io.netpoll.internal;

import io.netpoll.ConnectionClosedException;
import io.netpoll.WriteTimeoutException;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.internal.LinkBufferAccess;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A connection's output flusher: {@code flush()}, sending from the output buffer, waiting for a
 * full socket (worker mode, a streaming adaptive call, a writer other than an adaptive connection's
 * handler above its high-water mark), the poller finishing what a flush that
 * does not wait left (inline and adaptive), the write timeout, and the adaptive water marks.
 *
 * <p>Threading: the output buffer has one writer (the thread flushing, or {@code send} under its
 * lock) and one reader at a time, which the {@code draining} flag picks (the flushing thread or
 * the poller). Fields marked "poller" are touched only by the thread holding the poller's role.
 */
final class ConnOutput {
    /** drainTo, which is not LinkBuffer's public API. */
    private static final LinkBufferAccess.Transport BUFFERS = LinkBufferAccess.transport();

    private static final System.Logger LOG = System.getLogger("io.netpoll.connection");
    private static final VarHandle DRAINING;
    private static final VarHandle FIN;

    static {
        try {
            DRAINING = MethodHandles.lookup().findVarHandle(ConnOutput.class, "draining", int.class);
            FIN = MethodHandles.lookup().findVarHandle(ConnOutput.class, "fin", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NioConnection c;
    private final LinkBuffer output;
    private final boolean adaptive;
    private final int maxOutput;
    /** Adaptive: unsent output at which a connection stops being read and served; it resumes below lowWater. */
    private final int highWater;

    private final int lowWater;
    private final Runnable armWrite = this::armWriteOnPoller;
    private final Runnable writePending = this::writePendingOnPoller;
    private final Runnable writeTimeoutCheck = this::checkWriteTimeoutOnPoller;
    private final Runnable pauseForOutput = this::pauseForOutputOnPoller;

    // Poller only.
    private boolean pollerFlushPending;
    private boolean writeTimerArmed;
    private long writeProgressMark;
    /** Adaptive: neither read nor dispatched while the unsent output drains below the low-water mark. */
    private boolean outputPaused;

    /** 1 while a thread sends from the output buffer (its only reader at a time). */
    private volatile int draining;
    /** Bytes sent; written under the draining flag, read by the poller's write timer. */
    private volatile long sentBytes;
    /**
     * When bytes were last sent, on the poller's coarse clock (idle timeout, ConnectionInfo):
     * written under the draining flag (one writer at a time), read racily (no fence of its own).
     */
    long lastSentNanos;

    private volatile Thread flushWaiter;
    /**
     * Our FIN (shutdownOutput): 0 none, FIN_REQUESTED (sent by whoever holds the draining flag
     * when the output is empty), FIN_SENT.
     */
    private volatile int fin;

    private static final int FIN_REQUESTED = 1;
    private static final int FIN_SENT = 2;

    ConnOutput(NioConnection c, LinkBuffer output, boolean adaptive, int maxOutput) {
        this.c = c;
        this.output = output;
        this.adaptive = adaptive;
        this.maxOutput = maxOutput;
        this.highWater = Math.max(1, Math.min(NioConnection.HIGH_WATER, maxOutput / 4));
        this.lowWater = highWater / 2;
        this.lastSentNanos = c.createdNanos();
    }

    /** Bytes sent to the socket (ConnectionInfo). */
    long sent() {
        return sentBytes;
    }

    /** Poller: true while reading is off because of the output (adaptive water marks). */
    boolean outputPaused() {
        return outputPaused;
    }

    /** Adaptive dispatch loop: true if the peer is a high-water mark behind (then call {@link #holdForOutput}). */
    boolean aboveHighWater() {
        return output.len() >= highWater;
    }

    /** Adaptive dispatch loop: stop reading and serving until the poller has sent the output down. */
    void holdForOutput() {
        c.poller.run(pauseForOutput);
    }

    /** A close: wake a flush waiting for the socket. */
    void wakeWaiter() {
        Thread w = flushWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    // ---------------------------------------------------------------- half-close

    /** shutdownOutput() was called. */
    boolean outputShutdown() {
        return fin != 0;
    }

    /** Our FIN is out. */
    boolean finSent() {
        return fin == FIN_SENT;
    }

    /**
     * Any thread holding a reference (or the handler): asks for our FIN once the output flushed so
     * far is sent. If a thread is sending, it sends the FIN when it has emptied the output (it
     * re-checks after letting go of the draining flag: a Dekker pair with the request).
     */
    void requestFin() {
        if (FIN.compareAndSet(this, 0, FIN_REQUESTED)) {
            maybeSendFin();
        }
    }

    /** Sends the requested FIN if the output is empty and no other thread is sending. */
    private void maybeSendFin() {
        while (fin == FIN_REQUESTED && output.len() == 0 && !c.isClosedFlag()) {
            if (!DRAINING.compareAndSet(this, 0, 1)) {
                return; // the sender checks again after it lets go
            }
            try {
                if (output.len() == 0 && FIN.compareAndSet(this, FIN_REQUESTED, FIN_SENT)) {
                    try {
                        c.channel.shutdownOutput();
                    } catch (IOException e) {
                        c.closeWith(CloseReason.RESET, e);
                        return;
                    }
                    c.outputFinished();
                    return;
                }
            } finally {
                DRAINING.setVolatile(this, 0);
            }
        }
    }

    // ---------------------------------------------------------------- poller side

    /** Poller: the socket became writable (OP_WRITE already cleared). */
    void onWritable() {
        wakeWaiter();
        if (pollerFlushPending) {
            pollerFlushPending = false;
            flushOnPoller();
        }
    }

    private void armWriteOnPoller() {
        c.setInterestOnPoller(SelectionKey.OP_WRITE, true);
    }

    /** Poller: a flush that does not wait left output the socket did not take; send it when writable. */
    private void writePendingOnPoller() {
        if (!c.isRegisteredOnPoller()) {
            return;
        }
        pollerFlushPending = true;
        armWriteOnPoller();
        long timeout = c.writeTimeoutNanos;
        if (timeout > 0 && !writeTimerArmed) {
            writeTimerArmed = true;
            writeProgressMark = sentBytes;
            c.poller.schedule(writeTimeoutCheck, timeout);
        }
    }

    /**
     * Poller: the write timer of output queued by flushes that did not wait. No byte sent for a
     * whole write timeout while output waits: the peer does not read, close (counted).
     */
    private void checkWriteTimeoutOnPoller() {
        writeTimerArmed = false;
        if (c.isClosedFlag() || !pollerFlushPending) {
            return;
        }
        long timeout = c.writeTimeoutNanos;
        if (sentBytes == writeProgressMark) {
            if (c.closeWith(CloseReason.WRITE_TIMEOUT, null)) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        () -> "closed " + c.remoteAddress() + ": no output sent for " + Duration.ofNanos(timeout)
                                + " (the peer does not read)");
            }
            return;
        }
        if (timeout > 0) {
            writeTimerArmed = true;
            writeProgressMark = sentBytes;
            c.poller.schedule(writeTimeoutCheck, timeout);
        }
    }

    private void flushOnPoller() {
        if (c.isClosedFlag()) {
            return;
        }
        try {
            drainNoWait();
        } catch (IOException e) {
            // drain already closed the connection.
            LOG.log(System.Logger.Level.DEBUG, "flush from the poller failed", e);
            return;
        }
        if (outputPaused && output.len() < lowWater && !c.isClosedFlag()) {
            // The slow reader caught up: read from it and serve it again.
            outputPaused = false;
            c.resumeAfterOutputOnPoller();
        }
    }

    /**
     * Poller (adaptive): a handler loop stopped because the unsent output reached the high-water
     * mark. Stop reading too, until the poller has sent it below the low-water mark; if that has
     * already happened, restart the loop instead.
     */
    private void pauseForOutputOnPoller() {
        if (c.isClosedFlag()) {
            return;
        }
        if (output.len() >= lowWater) {
            outputPaused = true;
            c.setInterestOnPoller(SelectionKey.OP_READ, false);
        } else {
            c.redispatchOnPoller();
        }
    }

    // ---------------------------------------------------------------- flush

    void flush() throws IOException {
        if (c.isClosedFlag()) {
            throw c.closedException();
        }
        if (fin != 0) {
            throw new ConnectionClosedException("the output is shut down (shutdownOutput)");
        }
        // Flushed earlier and still unsent: the peer is behind by this much before this flush.
        int behind = output.len();
        output.flush();
        if (output.len() == 0) {
            return;
        }
        boolean own = c.isHandlerThread();
        boolean adaptiveHandler = adaptive && own;
        if (adaptiveHandler && behind >= highWater && (!c.poller.inPoller() || c.poller.handOffForWait())) {
            // Adaptive, a handler that keeps writing to a peer already a high-water mark behind
            // (streaming in one call): wait for the peer as a worker-mode flush does, up to the
            // write timeout, after giving the role to a spare thread. One reply per call never
            // gets here: the dispatch loop stops calling a connection above the mark.
            RoleThread tracked = c.pauseCallTracking();
            try {
                drain();
            } finally {
                NioConnection.resumeCallTracking(tracked);
            }
            return;
        }
        // Adaptive, a writer that is not this connection's handler (another connection's handler,
        // any application thread): the water marks pause only the connection whose own handler
        // writes, so nothing else would stop this writer (a proxy forwarding to an upstream that
        // does not read). Above the mark it waits for the peer, as in worker mode.
        Poller role = adaptive && !own ? heldRole() : null;
        if (adaptive && !own && behind >= highWater && awaitAsOtherWriter(role)) {
            return;
        }
        // A flush on the poller (inline handlers) or by an adaptive handler does not wait for a full
        // socket: what is left is sent by the poller when it becomes writable, so no thread is held
        // by a peer that does not read. Neither does another poller's thread writing to an adaptive
        // connection below its mark (the mark above bounds what it queues).
        if (!c.poller.inPoller() && !adaptiveHandler && role == null) {
            drain();
            return;
        }
        drainNoWait();
        // Bound what waits, or a peer that sends requests without reading the replies would grow
        // the output without limit. (Elsewhere flush waits until all is sent.)
        if (!c.isClosedFlag() && output.len() > maxOutput) {
            c.counters.outputLimitCloses.increment();
            LOG.log(
                    System.Logger.Level.DEBUG,
                    () -> "closing " + c.remoteAddress() + ": unsent output above " + maxOutput);
            c.closeWith(CloseReason.OUTPUT_LIMIT, null);
            throw c.closedException();
        }
    }

    /** The poller whose role the calling thread holds now, or null. */
    private static Poller heldRole() {
        Poller p = Thread.currentThread() instanceof RoleThread rt ? rt.role : null;
        return p != null && p.inPoller() ? p : null;
    }

    /**
     * Adaptive: a writer other than this connection's handler flushes while the peer is a
     * high-water mark behind. Waits until the output is sent (up to the write timeout) and
     * returns true; or returns false if this thread must not wait (then the flush does not wait
     * and the output limit bounds what is queued):
     * <ul>
     * <li>no poller role: waits, as any worker-mode flush;</li>
     * <li>the role, in an adaptive handler call: gives the role to a spare thread first (so the
     *     poller's other connections are served, and this handler's own connection is read only up
     *     to its input limit), then waits;</li>
     * <li>the role, spare threads at their cap: waits holding the role (the poller waits for its
     *     handler, as a worker pool at its size would), but only for a connection of another
     *     poller and with a write timeout: waiting on its own poller would wait for itself, and
     *     without a timeout two pollers waiting for each other would never end;</li>
     * <li>the role outside an adaptive handler call (inline handlers, poller tasks): never waits.</li>
     * </ul>
     */
    private boolean awaitAsOtherWriter(Poller role) throws IOException {
        RoleThread tracked = null;
        if (role != null) {
            int h = role.handOffForFlush();
            if (h == Poller.NOT_IN_HANDLER || (h == Poller.AT_CAP && (role == c.poller || c.writeTimeoutNanos <= 0))) {
                return false;
            }
            if (h == Poller.HANDED_OFF) {
                // A wait in netpoll, not a blocked handler call (for the monitor's report).
                RoleThread rt = (RoleThread) Thread.currentThread();
                if ((rt.calls() & 1) == 1) {
                    rt.endCall();
                    tracked = rt;
                }
            }
        }
        try {
            drain();
        } finally {
            NioConnection.resumeCallTracking(tracked);
        }
        return true;
    }

    /**
     * Sends what the socket takes now without waiting; true if output remains (the socket is
     * full). The caller holds the draining flag: the output buffer has one reader at a time.
     */
    private boolean drainSome() throws IOException {
        if (c.tls != null) {
            return drainSomeTls();
        }
        long sent = 0;
        try {
            for (; ; ) {
                long w;
                try {
                    w = BUFFERS.drainTo(output, c.channel);
                } catch (IOException e) {
                    c.closeWith(CloseReason.RESET, e);
                    throw new ConnectionClosedException("write failed: " + e.getMessage(), e);
                }
                if (w <= 0) {
                    return output.len() > 0;
                }
                sent += w;
                if (output.len() == 0) {
                    return false;
                }
            }
        } finally {
            if (sent > 0) {
                lastSentNanos = c.poller.clockNanos(); // before the count: a view that sees the count sees it
                sentBytes += sent;
                c.counters.bytesOut.add(sent);
            }
        }
    }

    /**
     * {@link #drainSome} over TLS: the session wraps views of the output's nodes into records
     * and writes them. Counted in plaintext bytes (what the handlers wrote). Before the
     * handshake is done nothing is sent and the output waits as for a full socket; the poller
     * resumes it when the handshake completes.
     */
    private boolean drainSomeTls() throws IOException {
        int before = output.len();
        int r;
        try {
            r = c.tls.flush(output);
        } catch (IOException e) {
            if (e instanceof javax.net.ssl.SSLException ssl && !c.isClosedFlag()) {
                c.tlsFailed(ssl, false);
            } else {
                c.closeWith(CloseReason.RESET, e);
            }
            throw new ConnectionClosedException("write failed: " + e.getMessage(), e);
        } finally {
            long sent = before - output.len();
            if (sent > 0) {
                lastSentNanos = c.poller.clockNanos(); // before the count: a view that sees the count sees it
                sentBytes += sent;
                c.counters.bytesOut.add(sent);
            }
        }
        return r != io.netpoll.internal.tls.TlsSession.FLUSHED;
    }

    /**
     * Sends what the socket takes and leaves the rest to the poller (armed for writability), never
     * waiting. If another thread is sending (the poller, or the handler), that one re-checks for
     * more after it lets go of the flag, so nothing flushed is left behind.
     */
    private void drainNoWait() throws IOException {
        for (; ; ) {
            if (!DRAINING.compareAndSet(this, 0, 1)) {
                return;
            }
            boolean full;
            try {
                full = drainSome();
            } finally {
                DRAINING.setVolatile(this, 0);
            }
            if (full) {
                if (!c.poller.run(writePending)) {
                    throw c.closedException();
                }
                return;
            }
            if (output.len() == 0) {
                if (fin == FIN_REQUESTED) {
                    maybeSendFin();
                }
                return;
            }
        }
    }

    /** Writes the output buffer out, waiting while the socket is full (up to the write timeout). */
    private void drain() throws IOException {
        long deadline = 0;
        for (; ; ) {
            if (!DRAINING.compareAndSet(this, 0, 1)) {
                // The poller or a handler is sending queued output (never for long: it does not wait).
                if (c.isClosedFlag()) {
                    throw c.closedException();
                }
                Thread.onSpinWait();
                continue;
            }
            boolean full;
            try {
                full = drainSome();
            } finally {
                DRAINING.setVolatile(this, 0);
            }
            if (!full) {
                if (fin == FIN_REQUESTED) {
                    maybeSendFin();
                }
                return;
            }
            deadline = awaitWritable(deadline);
        }
    }

    private long awaitWritable(long deadline) throws IOException {
        long timeout = c.writeTimeoutNanos;
        if (timeout > 0 && deadline == 0) {
            deadline = System.nanoTime() + timeout;
        }
        if (timeout > 0 && deadline - System.nanoTime() <= 0) {
            throw writeTimedOut(timeout);
        }
        Thread me = Thread.currentThread();
        flushWaiter = me;
        boolean blocking = WorkerPool.beginBlocking();
        try {
            if (!c.poller.execute(armWrite) || c.isClosedFlag()) {
                throw c.closedException();
            }
            // The connection is the blocker: thread dumps (and tests) show what the thread waits for.
            if (timeout > 0) {
                LockSupport.parkNanos(c, deadline - System.nanoTime());
            } else {
                LockSupport.park(c);
            }
            if (Thread.interrupted()) {
                me.interrupt();
                throw new InterruptedIOException("interrupted while waiting to write");
            }
            if (c.isClosedFlag()) {
                throw c.closedException();
            }
        } finally {
            flushWaiter = null;
            WorkerPool.endBlocking(blocking);
        }
        return deadline;
    }

    /**
     * A flush waited out the write timeout. Part of a message may have been sent, so the byte
     * stream is in an unknown state: close the connection (counted) and tell the caller.
     */
    private IOException writeTimedOut(long timeout) {
        if (!c.closeWith(CloseReason.WRITE_TIMEOUT, null)) {
            return c.closedException(); // closed by someone else first: that is what the caller sees
        }
        LOG.log(
                System.Logger.Level.DEBUG,
                () -> "closed " + c.remoteAddress() + ": flush timed out after " + Duration.ofNanos(timeout)
                        + " (the peer does not read)");
        return new WriteTimeoutException(
                "flush timed out after " + Duration.ofNanos(timeout) + "; the connection is closed");
    }
}
