package io.netpoll.internal;

import io.netpoll.CloseCallback;
import io.netpoll.Connection;
import io.netpoll.ConnectionClosedException;
import io.netpoll.OnConnect;
import io.netpoll.OnDisconnect;
import io.netpoll.OnRequest;
import io.netpoll.ReadTimeoutException;
import io.netpoll.WriteAction;
import io.netpoll.WriteTimeoutException;
import io.netpoll.buffer.BufferBudgetExceededException;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;
import io.netpoll.buffer.Writer;
import io.netpoll.buffer.internal.LinkBufferAccess;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connection implementation: the socket, its input and output {@link LinkBuffer}s, handler
 * dispatch, blocking waits and the close protocol.
 *
 * <h2>Who touches what</h2>
 * <ul>
 * <li>The poller thread is the input buffer's only writer ({@code fillFrom}), owns the selection
 *     key, the interest set and the idle-wheel links.</li>
 * <li>One handler task at a time (the {@code processing} flag, taken by CAS) is the input
 *     buffer's reader; on a connection without a handler, the user's reading thread is.</li>
 * <li>The output buffer is filled and drained ({@code drainTo}) by the flushing thread; the poller
 *     only reports writability (except in inline mode, where the poller is the flushing thread).</li>
 * </ul>
 *
 * <h2>Close protocol</h2>
 * {@code refs} counts the users that may touch the buffers: 1 for "open" (dropped by the poller
 * after it cancelled the key and closed the socket), +1 per running handler task, +1 per reader or
 * writer call from a thread other than the running handler. Whoever drops the count to zero runs
 * {@link #finish}: onDisconnect, close callbacks (newest first), buffers back to the pool. So the
 * buffers are never freed under a reader or writer, and callbacks run after the handler returns.
 */
public final class NioConnection implements Connection {
    private static final System.Logger LOG = System.getLogger("io.netpoll.connection");

    static final int REASON_LOCAL = 1;
    static final int REASON_PEER = 2;
    static final int REASON_RESET = 3;
    static final int REASON_IDLE = 4;
    static final int REASON_ERROR = 5;
    static final int REASON_SHUTDOWN = 6;
    static final int REASON_HANDLER = 7;
    static final int REASON_OUTPUT_LIMIT = 8;
    static final int REASON_WRITE_TIMEOUT = 9;

    private static final int MIN_READ = 1024;
    // Small first reads, into nodes of the read's size: a burst of new connections holds one input
    // node each until their handlers run, and the pool keeps what a burst took. Reads (and their
    // nodes) double for connections that fill them.
    private static final int INITIAL_READ = MIN_READ;
    private static final int MAX_READ = 64 * 1024;
    /** Bytes read per connection per poller turn, so one streaming peer cannot starve the others. */
    private static final int READ_BUDGET = 256 * 1024;
    /** Handler calls per connection per turn before other connections get theirs, for the same reason. */
    private static final int MAX_ROUNDS = 16;

    private static final VarHandle PROCESSING;
    private static final VarHandle REFS;
    private static final VarHandle CLOSED;
    private static final VarHandle CALLBACKS;
    private static final VarHandle SEND_LOCK;
    private static final CallbackNode DONE = new CallbackNode(null, null);
    /** fillFrom/drainTo, which are not LinkBuffer's public API. */
    private static final LinkBufferAccess.Transport BUFFERS = LinkBufferAccess.transport();

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PROCESSING = l.findVarHandle(NioConnection.class, "processing", int.class);
            REFS = l.findVarHandle(NioConnection.class, "refs", int.class);
            CLOSED = l.findVarHandle(NioConnection.class, "closed", int.class);
            CALLBACKS = l.findVarHandle(NioConnection.class, "callbacks", CallbackNode.class);
            SEND_LOCK = l.findVarHandle(NioConnection.class, "sendLock", ReentrantLock.class);
            RESUME_QUEUED = l.findVarHandle(NioConnection.class, "resumeQueued", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private record CallbackNode(CloseCallback callback, CallbackNode next) {
    }

    final SocketChannel channel;
    final Poller poller;
    private final ConnOwner owner;
    private final Counters counters;
    private final Executor executor;
    private final boolean inline;
    private final OnConnect onConnect;
    private final OnDisconnect onDisconnect;
    final LinkBuffer input;
    final LinkBuffer output;
    private final ConnReader reader;
    private final ConnWriter writer;
    private final Runnable task = this::runHandler;
    private final Runnable closeTask = this::closeOnPoller;
    private final Runnable armWrite = this::armWriteOnPoller;
    private final Runnable resumeRead = this::resumeReadOnPoller;
    /** Buffer budget: the pool calls it when memory is back after a refused read. */
    private final Runnable memoryAvailable = () -> maybeResumeRead(true);
    private final int maxInput;
    private final int maxOutput;
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;

    // Poller thread only.
    private SelectionKey key;
    private int interest;
    private int readSize = INITIAL_READ;
    private boolean pollerFlushPending;
    NioConnection wheelPrev;
    NioConnection wheelNext;
    int wheelSlot = -1;

    // Guarded by the processing flag.
    private boolean connectPending;
    /** The worker pool's intrusive queue link; guarded by the pool's lock. */
    NioConnection nextQueued;

    private volatile int processing;
    private volatile int refs = 1;
    private volatile int closed;
    private volatile int reason;
    private volatile CallbackNode callbacks;
    private volatile ReentrantLock sendLock;
    private volatile Thread readWaiter;
    private volatile Thread flushWaiter;
    private volatile Thread handlerThread;
    private volatile boolean eof;
    /** Reading stopped because the unread input reached maxInput (set by the poller, cleared by it too). */
    private volatile boolean readPaused;
    private static final VarHandle RESUME_QUEUED;
    private volatile int resumeQueued;
    /** Bumped by the poller whenever data or EOF arrives; tells a finishing handler that something is new. */
    private volatile long epoch;
    private volatile OnRequest onRequest;
    private volatile Object context;
    private volatile long readTimeoutNanos;
    private volatile long writeTimeoutNanos;
    volatile long idleTimeoutNanos;
    volatile long lastActive;

    public NioConnection(SocketChannel channel, Poller poller, ConnOwner owner, ConnSettings settings,
                         Executor executor, OnRequest onRequest) throws IOException {
        this.channel = channel;
        this.poller = poller;
        this.owner = owner;
        this.counters = owner.counters();
        this.executor = executor;
        this.inline = settings.inline;
        this.maxInput = settings.maxInputBytes;
        this.maxOutput = settings.maxOutputBytes;
        this.onConnect = settings.onConnect;
        this.onDisconnect = settings.onDisconnect;
        this.onRequest = onRequest;
        this.connectPending = settings.onConnect != null;
        this.readTimeoutNanos = ConnSettings.nanos(settings.readTimeout);
        this.writeTimeoutNanos = ConnSettings.nanos(settings.writeTimeout);
        this.idleTimeoutNanos = ConnSettings.nanos(settings.idleTimeout);
        this.lastActive = System.nanoTime();
        this.localAddress = channel.getLocalAddress();
        this.remoteAddress = channel.getRemoteAddress();
        BufferPool pool = settings.bufferPool != null ? settings.bufferPool : BufferPool.defaultPool();
        this.input = new LinkBuffer(pool, MIN_READ);
        this.output = new LinkBuffer(pool);
        this.reader = new ConnReader(this, input);
        this.writer = new ConnWriter(this, output);
        counters.active.increment();
    }

    /** Sets the context before registration (OnPrepare's result). */
    public void initContext(Object ctx) {
        this.context = ctx;
    }

    /** Queues the registration with the poller; if the poller has stopped, closes the connection. */
    public void register() {
        if (!poller.execute(this::registerOnPoller)) {
            closeWith(REASON_SHUTDOWN, null);
        }
    }

    private void registerOnPoller() {
        if (closed != 0) {
            return;
        }
        try {
            interest = SelectionKey.OP_READ;
            key = poller.register(channel, interest, this);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "registration failed", e);
            closeWith(REASON_ERROR, e);
            return;
        }
        if (idleTimeoutNanos > 0) {
            poller.wheel().schedule(this, System.nanoTime());
        }
        if (connectPending || (onRequest != null && input.len() > 0)) {
            startTask();
        }
    }

    void rekey(SelectionKey k) {
        key = k;
    }

    boolean isClosedFlag() {
        return closed != 0;
    }

    // ---------------------------------------------------------------- poller side

    /** Poller thread: the key is ready. */
    void onReady(SelectionKey k) {
        int ready = k.readyOps();
        if ((ready & SelectionKey.OP_READ) != 0) {
            onReadable();
        }
        if ((ready & SelectionKey.OP_WRITE) != 0 && k.isValid()) {
            onWritable();
        }
    }

    private void onReadable() {
        if (closed != 0) {
            return;
        }
        int total = 0;
        for (;;) {
            int n;
            try {
                n = BUFFERS.fillFrom(input, channel, readSize);
            } catch (BufferBudgetExceededException e) {
                pauseForMemory(e); // buffer memory budget: stop reading until memory is back
                break;
            } catch (IOException e) {
                if (total > 0) {
                    published(total);
                }
                closeWith(REASON_RESET, e);
                return;
            }
            if (n < 0) {
                if (total > 0) {
                    published(total);
                }
                onEof();
                return;
            }
            if (n == 0) {
                break;
            }
            total += n;
            if (n >= readSize) {
                // The read filled what we offered: there is probably more, and bigger reads pay off.
                if (readSize < MAX_READ) {
                    readSize <<= 1;
                }
                if (total >= READ_BUDGET) {
                    break;
                }
            } else {
                // A short read means the socket is (nearly) drained; skip the read that would return 0.
                if (n < readSize >> 2 && readSize > MIN_READ) {
                    readSize >>= 1;
                }
                break;
            }
        }
        if (total > 0) {
            published(total);
        }
        if (input.len() >= maxInput && readWaiter == null && closed == 0 && !eof && key != null && key.isValid()) {
            // Backpressure: nobody consumes, so stop reading; the peer's writes block in its kernel.
            readPaused = true;
            interest &= ~SelectionKey.OP_READ;
            key.interestOps(interest);
            // The reader may have consumed between our check and the flag: it then saw no pause.
            if (input.len() < maxInput || readWaiter != null) {
                resumeReadOnPoller();
            } else if (onRequest != null) {
                // A handler that returned before the pause must look again: it either makes
                // progress (and reading resumes) or is stuck at the limit (and the connection closes).
                epoch = epoch + 1;
                startTask();
            }
        }
    }

    /**
     * Poller thread: the buffer pool refused memory for a read (its budget). Reading stops as for
     * the input limit (the reader consuming resumes it too) until the pool has memory again.
     */
    private void pauseForMemory(BufferBudgetExceededException refusal) {
        if (closed != 0 || eof || key == null || !key.isValid()) {
            return;
        }
        readPaused = true;
        interest &= ~SelectionKey.OP_READ;
        key.interestOps(interest);
        refusal.onMemoryAvailable(memoryAvailable);
        // The reader may have consumed between the refusal and the flag: it then saw no pause.
        if (input.len() < refusal.heldBytes()) {
            resumeReadOnPoller();
        }
    }

    /** Any thread: the reader consumed or wants more; let the poller read again if it paused. */
    void maybeResumeRead(boolean force) {
        if (readPaused && (force || input.len() < maxInput) && RESUME_QUEUED.compareAndSet(this, 0, 1)) {
            if (!poller.run(resumeRead)) {
                resumeQueued = 0;
            }
        }
    }

    private void resumeReadOnPoller() {
        resumeQueued = 0;
        if (readPaused && closed == 0 && !eof && key != null && key.isValid()) {
            readPaused = false;
            interest |= SelectionKey.OP_READ;
            key.interestOps(interest);
        }
    }

    private void published(int n) {
        counters.bytesIn.add(n);
        if (idleTimeoutNanos > 0) {
            lastActive = System.nanoTime();
        }
        epoch = epoch + 1;
        Thread w = readWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        if (onRequest != null) {
            startTask();
        }
    }

    private void onEof() {
        eof = true;
        if (key != null && key.isValid()) {
            // Level-triggered: a socket at EOF stays readable, so stop asking.
            interest &= ~SelectionKey.OP_READ;
            key.interestOps(interest);
        }
        epoch = epoch + 1;
        Thread w = readWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        if (onRequest != null) {
            startTask();
        } else if (w == null && input.len() == 0) {
            closeWith(REASON_PEER, null);
        }
    }

    private void onWritable() {
        if (key.isValid()) {
            interest &= ~SelectionKey.OP_WRITE;
            key.interestOps(interest);
        }
        Thread w = flushWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        if (pollerFlushPending) {
            pollerFlushPending = false;
            flushOnPoller();
        }
    }

    private void armWriteOnPoller() {
        if (closed == 0 && key != null && key.isValid()) {
            interest |= SelectionKey.OP_WRITE;
            key.interestOps(interest);
        }
    }

    private void flushOnPoller() {
        if (closed != 0) {
            return;
        }
        try {
            drain(true);
        } catch (IOException e) {
            // drain already closed the connection.
            LOG.log(System.Logger.Level.DEBUG, "flush from the poller failed", e);
        }
    }

    /** Poller thread: the idle wheel found no traffic for the idle timeout. */
    void idleExpired() {
        closeWith(REASON_IDLE, null);
    }

    // ---------------------------------------------------------------- dispatch

    private void startTask() {
        if (PROCESSING.compareAndSet(this, 0, 1)) {
            submit();
        }
    }

    private void submit() {
        if (inline) {
            if (poller.inPoller()) {
                runHandler();
            } else if (!poller.execute(task)) {
                PROCESSING.setVolatile(this, 0);
                closeWith(REASON_SHUTDOWN, null);
            }
            return;
        }
        try {
            if (executor instanceof WorkerPool pool) {
                pool.submit(this);
            } else {
                executor.execute(task);
            }
        } catch (RejectedExecutionException e) {
            PROCESSING.setVolatile(this, 0);
            closeWith(REASON_SHUTDOWN, e);
        }
    }

    /** Re-queues the running task (the processing flag stays held); false if it must keep running here. */
    private boolean yieldTurn() {
        if (inline) {
            if (!poller.inPoller()) {
                return false;
            }
            poller.continueLater(this);
            return true;
        }
        try {
            if (executor instanceof WorkerPool pool) {
                pool.submit(this);
            } else {
                executor.execute(task);
            }
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Run by the worker pool for a connection it dequeued. */
    void runQueuedTask() {
        runHandler();
    }

    /** Poller thread: resumes a handler loop that used up its inline turn (processing still held). */
    void continueOnPoller() {
        runHandler();
    }

    /** The handler task. The caller holds the processing flag. */
    private void runHandler() {
        if (!tryAcquire()) {
            PROCESSING.setVolatile(this, 0);
            return;
        }
        Thread me = Thread.currentThread();
        handlerThread = me;
        int rounds = 0;
        try {
            for (;;) {
                long seen = epoch;
                if (connectPending) {
                    connectPending = false;
                    if (!runOnConnect()) {
                        break;
                    }
                }
                OnRequest h = onRequest;
                int before = input.len();
                if (h != null && before > 0 && closed == 0) {
                    callHandler(h);
                }
                if (closed != 0) {
                    break;
                }
                int after = input.len();
                if (readPaused) {
                    if (h != null && after >= before && after >= maxInput && epoch == seen) {
                        LOG.log(System.Logger.Level.WARNING, () -> "closing " + remoteAddress + ": " + after
                                + " unread input bytes (the limit) and the handler consumed none");
                        closeWith(REASON_ERROR, null);
                        break;
                    }
                    maybeResumeRead(false);
                }
                if (h != null && after > 0 && (after < before || epoch != seen)) {
                    // Unread data remains and the last call made progress (or more came): call again,
                    // but after a few rounds go to the back of the line, so a peer that streams
                    // without pause cannot keep a poller (inline) or the only worker to itself.
                    if (++rounds >= MAX_ROUNDS) {
                        handlerThread = null; // before re-queueing: the next task may start at once
                        if (yieldTurn()) {
                            break;
                        }
                        handlerThread = me;
                        rounds = 0;
                    }
                    continue;
                }
                if (eof) {
                    closeWith(REASON_PEER, null);
                    break;
                }
                // Nothing to do until new data arrives: give the flag back, then re-check for data
                // that the poller published while we still held it (it could not start a task).
                handlerThread = null;
                PROCESSING.setVolatile(this, 0);
                if (owner.draining()) {
                    closeIfIdle();
                    break;
                }
                if (epoch == seen || onRequest == null || !PROCESSING.compareAndSet(this, 0, 1)) {
                    break;
                }
                if (++rounds >= MAX_ROUNDS) {
                    if (yieldTurn()) {
                        break;
                    }
                    rounds = 0;
                }
                handlerThread = me;
            }
        } finally {
            if (handlerThread == me) {
                handlerThread = null;
            }
            release();
        }
    }

    private void callHandler(OnRequest h) {
        counters.requestsActive.increment();
        counters.requestsTotal.increment();
        try {
            h.onRequest(context, this);
        } catch (Throwable t) {
            handlerFailed(t);
        } finally {
            counters.requestsActive.decrement();
            input.release();
        }
    }

    private boolean runOnConnect() {
        try {
            context = onConnect.onConnect(context, this);
            return true;
        } catch (Throwable t) {
            handlerFailed(t);
            return false;
        }
    }

    private void handlerFailed(Throwable t) {
        if (t instanceof WriteTimeoutException && closed != 0 && reason == REASON_WRITE_TIMEOUT) {
            // The flush already closed the connection and counted it (writeTimeoutCloses): the
            // peer stopped reading, the handler did nothing wrong.
            return;
        }
        if (t instanceof ConnectionClosedException && (closed != 0 || eof)) {
            // The handler only noticed that the connection is going away: not its fault.
            closeWith(REASON_PEER, null);
            return;
        }
        // Counting, logging and the application's onError hook: in one place (ErrorPolicy).
        if (owner.errors().handlerFailed(this, context, t)) {
            closeWith(REASON_HANDLER, t);
        }
    }

    /** Closes the connection if no handler is running (and keeps one from starting). */
    public boolean closeIfIdle() {
        if (PROCESSING.compareAndSet(this, 0, 1)) {
            closeWith(REASON_SHUTDOWN, null);
            return true;
        }
        return closed != 0;
    }

    // ---------------------------------------------------------------- reference counting

    private boolean tryAcquire() {
        for (;;) {
            int r = refs;
            if (r <= 0) {
                return false;
            }
            if (REFS.compareAndSet(this, r, r + 1)) {
                return true;
            }
        }
    }

    private void release() {
        if ((int) REFS.getAndAdd(this, -1) == 1) {
            finish();
        }
    }

    /** Before a reader/writer call: true if a reference was taken (the caller is not the running handler). */
    boolean enter() throws ConnectionClosedException {
        if (Thread.currentThread() == handlerThread) {
            return false;
        }
        if (!tryAcquire()) {
            throw closedException();
        }
        return true;
    }

    boolean enterUnchecked() {
        if (Thread.currentThread() == handlerThread) {
            return false;
        }
        if (!tryAcquire()) {
            throw new IllegalStateException("connection closed");
        }
        return true;
    }

    void exit(boolean entered) {
        if (entered) {
            release();
        }
    }

    // ---------------------------------------------------------------- blocking reads

    void awaitLen(int n) throws IOException {
        if (input.len() >= n) {
            return;
        }
        awaitSlow(n, (byte) 0, false);
    }

    void awaitDelim(byte delim) throws IOException {
        if (input.indexOf(delim) >= 0) {
            return;
        }
        awaitSlow(0, delim, true);
    }

    private boolean satisfied(int n, byte delim, boolean byDelim) {
        return byDelim ? input.indexOf(delim) >= 0 : input.len() >= n;
    }

    private void awaitSlow(int n, byte delim, boolean byDelim) throws IOException {
        if (poller.inPoller()) {
            throw new IllegalStateException("a handler running on the poller (inline mode) must not wait for data: "
                    + "check reader().len() first and return to wait for more");
        }
        long timeout = readTimeoutNanos;
        long deadline = timeout > 0 ? System.nanoTime() + timeout : 0;
        Thread me = Thread.currentThread();
        readWaiter = me;
        maybeResumeRead(true); // a reader asking for more than is buffered may go past the limit
        boolean blocking = WorkerPool.beginBlocking();
        try {
            for (;;) {
                if (satisfied(n, delim, byDelim)) {
                    return;
                }
                if (closed != 0) {
                    throw closedException();
                }
                if (eof) {
                    if (satisfied(n, delim, byDelim)) {
                        return;
                    }
                    if (onRequest == null) {
                        closeWith(REASON_PEER, null);
                    }
                    throw new ConnectionClosedException("the peer closed the connection before sending enough data");
                }
                if (timeout > 0) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        throw new ReadTimeoutException("read timed out after " + Duration.ofNanos(timeout));
                    }
                    LockSupport.parkNanos(this, remaining);
                } else {
                    LockSupport.park(this);
                }
                if (Thread.interrupted()) {
                    me.interrupt();
                    throw new InterruptedIOException("interrupted while waiting for data");
                }
            }
        } finally {
            readWaiter = null;
            WorkerPool.endBlocking(blocking);
        }
    }

    /** True when the peer closed and everything it sent has been read. */
    boolean atEof() {
        return eof && input.len() == 0;
    }

    // ---------------------------------------------------------------- flush

    void flush() throws IOException {
        if (closed != 0) {
            throw closedException();
        }
        output.flush();
        if (output.len() == 0) {
            return;
        }
        boolean onPoller = poller.inPoller();
        drain(onPoller);
        // A flush on the poller (inline handlers) cannot wait for a full socket: what is left is
        // sent when it becomes writable. Bound it, or a peer that sends requests without reading
        // the replies would grow the output without limit. (Elsewhere flush waits until all is sent.)
        if (onPoller && closed == 0 && output.len() > maxOutput) {
            counters.outputLimitCloses.increment();
            LOG.log(System.Logger.Level.DEBUG, () -> "closing " + remoteAddress + ": unsent output above " + maxOutput);
            closeWith(REASON_OUTPUT_LIMIT, null);
            throw closedException();
        }
    }

    /** Writes the output buffer out; on the poller, never waits (the poller finishes when writable). */
    private void drain(boolean onPoller) throws IOException {
        long deadline = 0;
        for (;;) {
            long w;
            try {
                w = BUFFERS.drainTo(output, channel);
            } catch (IOException e) {
                closeWith(REASON_RESET, e);
                throw new ConnectionClosedException("write failed: " + e.getMessage(), e);
            }
            if (w > 0) {
                counters.bytesOut.add(w);
                if (idleTimeoutNanos > 0) {
                    lastActive = System.nanoTime();
                }
                if (output.len() == 0) {
                    return;
                }
                continue;
            }
            if (onPoller) {
                pollerFlushPending = true;
                armWriteOnPoller();
                return;
            }
            deadline = awaitWritable(deadline);
        }
    }

    private long awaitWritable(long deadline) throws IOException {
        long timeout = writeTimeoutNanos;
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
            if (!poller.execute(armWrite) || closed != 0) {
                throw closedException();
            }
            if (timeout > 0) {
                LockSupport.parkNanos(this, deadline - System.nanoTime());
            } else {
                LockSupport.park(this);
            }
            if (Thread.interrupted()) {
                me.interrupt();
                throw new InterruptedIOException("interrupted while waiting to write");
            }
            if (closed != 0) {
                throw closedException();
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
        if (!closeWith(REASON_WRITE_TIMEOUT, null)) {
            return closedException(); // closed by someone else first: that is what the caller sees
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "closed " + remoteAddress + ": flush timed out after "
                + Duration.ofNanos(timeout) + " (the peer does not read)");
        return new WriteTimeoutException("flush timed out after " + Duration.ofNanos(timeout)
                + "; the connection is closed");
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        closeWith(REASON_LOCAL, null);
    }

    /** Starts closing. Idempotent; the first reason wins. True if this call closed the connection. */
    boolean closeWith(int why, Throwable cause) {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            return false;
        }
        reason = why;
        if (why == REASON_WRITE_TIMEOUT) {
            counters.writeTimeoutCloses.increment(); // before the close, so a peer that saw EOF also sees the count
        }
        if (cause != null && why != REASON_HANDLER) {
            LOG.log(System.Logger.Level.DEBUG, () -> "closing " + remoteAddress + ": " + cause);
        }
        Thread w = readWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        w = flushWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        if (!poller.run(closeTask)) {
            closeTask.run();
        }
        return true;
    }

    private void closeOnPoller() {
        if (key != null) {
            key.cancel();
            key = null;
            poller.deregistered();
        }
        if (poller.inPoller()) {
            poller.wheel().remove(this);
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "error closing a socket", e);
        }
        release();
    }

    private void finish() {
        if (!inline && poller.inPoller()) {
            // Keep user callbacks off the poller thread.
            try {
                executor.execute(this::doFinish);
                return;
            } catch (RejectedExecutionException e) {
                // Run them here rather than leak the buffers.
            }
        }
        doFinish();
    }

    private void doFinish() {
        try {
            int why = reason;
            if ((why == REASON_PEER || why == REASON_RESET) && onDisconnect != null) {
                try {
                    onDisconnect.onDisconnect(context, this);
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.WARNING, "onDisconnect failed", t);
                }
            }
            CallbackNode node = (CallbackNode) CALLBACKS.getAndSet(this, DONE);
            for (; node != null && node != DONE; node = node.next()) {
                runCallback(node.callback());
            }
        } finally {
            input.close();
            output.close();
            counters.active.decrement();
            owner.onFinished(this);
        }
    }

    private void runCallback(CloseCallback cb) {
        try {
            cb.onClose(this);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "close callback failed", t);
        }
    }

    ConnectionClosedException closedException() {
        return new ConnectionClosedException(switch (reason) {
            case REASON_PEER -> "connection closed by the peer";
            case REASON_RESET -> "connection reset";
            case REASON_IDLE -> "connection closed after the idle timeout";
            case REASON_SHUTDOWN -> "connection closed by shutdown";
            case REASON_HANDLER -> "connection closed after a handler error";
            case REASON_ERROR -> "connection closed after an error";
            case REASON_OUTPUT_LIMIT -> "connection closed: unsent output above the output limit (the peer does not read)";
            case REASON_WRITE_TIMEOUT -> "connection closed after a write timeout (the peer does not read)";
            default -> "connection closed";
        });
    }

    /** Why the connection closed, for logs and shutdown reports. */
    public String closeReason() {
        return closed == 0 ? "open" : closedException().getMessage();
    }

    // ---------------------------------------------------------------- Connection API

    @Override
    public Reader reader() {
        return reader;
    }

    @Override
    public Writer writer() {
        return writer;
    }

    @Override
    public void send(WriteAction action) throws IOException {
        ReentrantLock lock = sendLock();
        lock.lock();
        try {
            boolean entered = enter();
            try {
                action.write(writer);
                flush();
            } finally {
                exit(entered);
            }
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock sendLock() {
        ReentrantLock l = sendLock;
        if (l == null) {
            l = new ReentrantLock();
            if (!SEND_LOCK.compareAndSet(this, null, l)) {
                l = sendLock;
            }
        }
        return l;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (closed != 0 && reason == REASON_PEER) {
            return -1;
        }
        boolean entered = enter();
        try {
            if (!dst.hasRemaining()) {
                return 0;
            }
            try {
                awaitLen(1);
            } catch (ConnectionClosedException e) {
                if (eof) {
                    return -1;
                }
                throw e;
            }
            int n = Math.min(dst.remaining(), input.len());
            dst.put(input.next(n));
            input.release();
            maybeResumeRead(false);
            return n;
        } finally {
            exit(entered);
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        send(w -> w.writeBinary(src));
        return n;
    }

    @Override
    public boolean isOpen() {
        return closed == 0;
    }

    @Override
    public boolean isActive() {
        return closed == 0 && !eof;
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        readTimeoutNanos = ConnSettings.nanos(timeout);
    }

    @Override
    public void setWriteTimeout(Duration timeout) {
        writeTimeoutNanos = ConnSettings.nanos(timeout);
    }

    @Override
    public void setIdleTimeout(Duration timeout) {
        idleTimeoutNanos = ConnSettings.nanos(timeout);
        lastActive = System.nanoTime();
        poller.run(() -> {
            if (closed == 0 && key != null) {
                poller.wheel().schedule(this, System.nanoTime());
            }
        });
    }

    @Override
    public void setOnRequest(OnRequest handler) {
        onRequest = handler;
        if (handler != null && closed == 0 && input.len() > 0) {
            startTask();
        }
    }

    @Override
    public void addCloseCallback(CloseCallback callback) {
        if (callback == null) {
            throw new NullPointerException("callback");
        }
        for (;;) {
            CallbackNode head = callbacks;
            if (head == DONE) {
                runCallback(callback);
                return;
            }
            if (CALLBACKS.compareAndSet(this, head, new CallbackNode(callback, head))) {
                return;
            }
        }
    }

    @Override
    public Object context() {
        return context;
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String toString() {
        return "Connection[" + localAddress + " <-> " + remoteAddress + (closed != 0 ? ", closed" : "") + "]";
    }
}
