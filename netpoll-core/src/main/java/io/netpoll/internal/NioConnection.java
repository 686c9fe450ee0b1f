package io.netpoll.internal;

import io.netpoll.CloseCallback;
import io.netpoll.Connection;
import io.netpoll.ConnectionClosedException;
import io.netpoll.EndOfStreamException;
import io.netpoll.HandlerMode;
import io.netpoll.OnConnect;
import io.netpoll.OnDisconnect;
import io.netpoll.OnRequest;
import io.netpoll.ReadTimeoutException;
import io.netpoll.WriteAction;
import io.netpoll.WriteTimeoutException;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;
import io.netpoll.buffer.Writer;
import io.netpoll.internal.tls.AlertLinger;
import io.netpoll.internal.tls.TlsSession;
import io.netpoll.tls.TlsConfig;
import io.netpoll.tls.TlsFailure;
import io.netpoll.tls.TlsRenegotiationException;
import io.netpoll.tls.TlsSessionInfo;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connection implementation: the socket, its input and output {@link LinkBuffer}s, handler
 * dispatch (one path for the three handler modes), blocking reads and the close protocol. The
 * input pump (reads, read size, pause/resume at the input limit, EOF) is {@link ConnInput}; the
 * output flusher (flush, waiting for the socket, the poller's part, write timeout, water marks)
 * is {@link ConnOutput}; why a connection closed is a {@link CloseReason}.
 *
 * <h2>Who touches what</h2>
 * <ul>
 * <li>The poller thread is the input buffer's only writer ({@code fillFrom}), owns the selection
 *     key, the interest set and the idle-wheel links.</li>
 * <li>One handler task at a time (the {@code processing} flag, taken by CAS) is the input
 *     buffer's reader; on a connection without a handler, the user's reading thread is.</li>
 * <li>The output buffer is filled by the flushing thread and drained ({@code drainTo}) by one
 *     thread at a time ({@link ConnOutput}'s draining flag): the flushing thread, or the poller
 *     finishing what a flush that does not wait (inline, adaptive) left.</li>
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

    /** Handler calls per connection per turn before other connections get theirs, for the same reason. */
    private static final int MAX_ROUNDS = 16;
    /**
     * Adaptive: unsent output (bytes) above which a connection is neither read nor served until
     * the poller has sent it down to half of it (Netty's water marks; 256 KiB, or a quarter of
     * maxOutputBuffer if that is smaller). See docs/reliability.md.
     */
    static final int HIGH_WATER = 256 * 1024;

    private static final VarHandle PROCESSING;
    private static final VarHandle REFS;
    private static final VarHandle CLOSED;
    private static final VarHandle CALLBACKS;
    private static final VarHandle CLOSING;
    private static final VarHandle SEND_LOCK;
    private static final CallbackNode DONE = new CallbackNode(null, null);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PROCESSING = l.findVarHandle(NioConnection.class, "processing", int.class);
            REFS = l.findVarHandle(NioConnection.class, "refs", int.class);
            CLOSED = l.findVarHandle(NioConnection.class, "closed", int.class);
            CALLBACKS = l.findVarHandle(NioConnection.class, "callbacks", CallbackNode.class);
            CLOSING = l.findVarHandle(NioConnection.class, "closing", CallbackNode.class);
            SEND_LOCK = l.findVarHandle(NioConnection.class, "sendLock", ReentrantLock.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private record CallbackNode(CloseCallback callback, CallbackNode next) {}

    /** Connection ids (ConnectionInfo, closing one by id): one increment per connection. */
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    final SocketChannel channel;
    final Poller poller;
    private final ConnOwner owner;
    final Counters counters;
    private final Executor executor;
    /**
     * Where handler tasks go when they do not run on the poller's role: the executor (worker
     * mode), or for an adaptive connection moved off the poller the group's offload pool (an
     * adaptive connection has no executor of its own: Option.executor selects worker mode), so
     * blocking connections do not queue behind each other or take worker-mode servers' threads.
     */
    private final Executor dispatch;

    private final HandlerMode mode;
    /** INLINE or ADAPTIVE: handlers run on the thread holding the poller's role (from its ready list). */
    /**
     * Handlers run on the thread holding the poller's role (inline, adaptive); cleared for good
     * when an adaptive call blocked outside netpoll (the monitor had to take the role): such a
     * connection runs on the executor from then on, so it stalls its poller once, not per call.
     */
    private volatile boolean onRole;
    /** How long a call must go on blocking after the monitor took the role for its connection to move off it. */
    private static final long OFFLOAD_AFTER_NANOS = Sysmon.BLOCKED_AFTER_RETAKE_NANOS;
    /** Retaken calls in a row that ran (not blocked) after which a connection is offloaded all the same. */
    private static final int OFFLOAD_AFTER_LONG_CALLS = 3;
    /** See endCall; handler thread only (the processing flag orders the calls of a connection). */
    private int longCallsInARow;
    /** When a call that runs off the role began, while longCallsInARow is not 0; handler thread only. */
    private long offRoleCallStart;
    /** Quick calls in a row after which an offloaded connection runs on the poller again. */
    private static final int READMIT_AFTER_FAST_CALLS = 64;
    /** See readmitIfFast; handler thread only. */
    private int fastCallsOffloaded;

    private final boolean adaptive;
    /** Option.allowHalfClosure: the peer's FIN ends the input only. */
    private final boolean halfClosure;

    private final OnConnect onConnect;
    private final OnDisconnect onDisconnect;
    final LinkBuffer input;
    final LinkBuffer output;
    private final ConnReader reader;
    private final ConnWriter writer;
    private final Runnable task = this::runHandler;
    /** Posted to the poller by an offload thread whose connection was readmitted (the processing flag passes with it). */
    private final Runnable backToPoller = this::continueOnPoller;

    private final Runnable closeTask = this::closeOnPoller;
    /** The input pump: reads, read size, pause/resume at the input limit, EOF. */
    private final ConnInput in;
    /** The output flusher: flush, waiting, the poller's part, write timeout, water marks. */
    private final ConnOutput out;

    private final int maxInput;
    private final int maxOutput;
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;
    private final long id = IDS.incrementAndGet();
    private final long createdAtMillis = System.currentTimeMillis();
    private final long createdNanos = System.nanoTime();
    /** TLS between the socket and the buffers, or null (plaintext). See docs/tls-design.md. */
    final TlsSession tls;
    /** With TLS: completes when the handshake is done, fails when it fails (a dial waits for it). */
    private final CompletableFuture<Void> handshake;

    private volatile TlsSessionInfo tlsInfo;

    // Poller thread only.
    private SelectionKey key;
    private int interest;
    NioConnection wheelPrev;
    NioConnection wheelNext;
    int wheelSlot = -1;

    // Guarded by the processing flag.
    private boolean connectPending;
    /** Half-closure: a handler call has started since the peer's FIN (it could see isInputShutdown()). */
    private boolean eofCalled;
    /** The worker pool's intrusive queue link; guarded by the pool's lock. */
    NioConnection nextQueued;

    private volatile int processing;
    private volatile int refs = 1;
    private volatile int closed;
    private volatile CloseReason reason;
    private volatile CallbackNode callbacks;
    /** addClosingCallback: run when the close begins, not after the handler. */
    private volatile CallbackNode closing;

    private volatile ReentrantLock sendLock;
    volatile Thread readWaiter;
    private volatile Thread handlerThread;
    /**
     * Bumped by the poller whenever data or EOF arrives; tells a finishing handler that something
     * is new. Its volatile store also orders the poller's publish before its look at readWaiter
     * (see ConnInput.published and awaitSlow): do not weaken it to a release store.
     */
    private volatile long epoch;

    private volatile OnRequest onRequest;
    private volatile Object context;
    private volatile long readTimeoutNanos;
    volatile long writeTimeoutNanos;
    volatile long idleTimeoutNanos;
    /** When the idle timeout was (re)set: the idle time counts from here at the earliest. */
    private volatile long idleArmedNanos;

    public NioConnection(
            SocketChannel channel,
            Poller poller,
            ConnOwner owner,
            ConnSettings settings,
            Executor executor,
            OnRequest onRequest)
            throws IOException {
        this(channel, poller, owner, settings, executor, onRequest, null, -1);
    }

    /**
     * @param tlsPeerHost with client TLS: the host as dialed (a name, for SNI and host name
     *                    verification), or null; ignored without TLS or on a server
     * @param tlsPeerPort its port, or -1
     */
    public NioConnection(
            SocketChannel channel,
            Poller poller,
            ConnOwner owner,
            ConnSettings settings,
            Executor executor,
            OnRequest onRequest,
            String tlsPeerHost,
            int tlsPeerPort)
            throws IOException {
        this.channel = channel;
        this.poller = poller;
        this.owner = owner;
        this.counters = owner.counters();
        this.executor = executor;
        this.mode = settings.mode;
        this.onRole = mode != HandlerMode.WORKER;
        this.adaptive = mode == HandlerMode.ADAPTIVE;
        this.dispatch = adaptive && settings.executor == null ? poller.offloadPool() : executor;
        this.halfClosure = settings.halfClosure;
        this.maxInput = settings.maxInputBytes;
        this.maxOutput = settings.maxOutputBytes;
        this.onConnect = settings.onConnect;
        this.onDisconnect = settings.onDisconnect;
        this.onRequest = onRequest;
        this.connectPending = settings.onConnect != null;
        this.readTimeoutNanos = ConnSettings.nanos(settings.readTimeout);
        this.writeTimeoutNanos = ConnSettings.nanos(settings.writeTimeout);
        this.idleTimeoutNanos = ConnSettings.nanos(settings.idleTimeout);
        this.idleArmedNanos = createdNanos;
        this.localAddress = channel.getLocalAddress();
        this.remoteAddress = channel.getRemoteAddress();
        BufferPool pool = settings.bufferPool != null ? settings.bufferPool : BufferPool.defaultPool();
        this.input = new LinkBuffer(pool, ConnInput.MIN_READ);
        this.output = new LinkBuffer(pool);
        this.reader = new ConnReader(this, input);
        this.writer = new ConnWriter(this, output);
        this.out = new ConnOutput(this, output, adaptive, maxOutput);
        this.in = new ConnInput(this, input, maxInput);
        TlsConfig tlsConfig = settings.tls;
        if (tlsConfig != null) {
            String host = tlsConfig.isServer() ? null : tlsPeerHost;
            int port = tlsConfig.isServer() ? -1 : tlsPeerPort;
            if (!tlsConfig.isServer() && host == null && remoteAddress instanceof InetSocketAddress isa) {
                host = isa.getHostString();
                port = isa.getPort();
            }
            this.tls = TlsSession.open(tlsConfig, host, port, channel, channel, input, executor, new TlsHost());
            this.handshake = new CompletableFuture<>();
        } else {
            this.tls = null;
            this.handshake = null;
        }
        counters.active.increment();
    }

    /** Sets the context before registration (OnPrepare's result). */
    public void initContext(Object ctx) {
        this.context = ctx;
    }

    /** Queues the registration with the poller; if the poller has stopped, closes the connection. */
    public void register() {
        if (!poller.execute(this::registerOnPoller)) {
            closeWith(CloseReason.SHUTDOWN, null);
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
            closeWith(CloseReason.ERROR, e);
            return;
        }
        if (tls != null) {
            // The handshake deadline rides on the idle wheel: no timer per connection.
            handshakePending = true;
        }
        if (idleTimeoutNanos > 0 || tls != null) {
            poller.wheel().schedule(this, System.nanoTime());
        }
        if (tls != null) {
            // No handler runs before the handshake is done (OnConnect included).
            tlsStepOnPoller();
            return;
        }
        if (connectPending || (onRequest != null && input.len() > 0)) {
            startTask();
        }
    }

    // ---------------------------------------------------------------- TLS (poller side)

    /** The session's callbacks: both hand the work to the poller. */
    private final class TlsHost implements TlsSession.Host {
        @Override
        public void tasksDone() {
            poller.run(NioConnection.this::tlsTasksDoneOnPoller);
        }

        @Override
        public void writePending() {
            poller.run(NioConnection.this::tlsWritePendingOnPoller);
        }
    }

    /** Poller: ciphertext the pump produced (a reply, an alert) waits for a writable socket. */
    private boolean tlsWritePending;
    /**
     * Set by {@link #tlsFailed} before its close (same thread, so the close task sees it): the
     * close lingers after the alert ({@link AlertLinger}). A lost race only skips the linger.
     */
    private boolean alertLinger;
    /**
     * Poller: the handshake is not done; the idle wheel closes the connection at the handshake's
     * deadline ({@link #handshakeExpiredOnWheel()}). Cleared when the handshake ends or the
     * connection closes; the wheel drops the entry at its next visit (or at the close).
     */
    boolean handshakePending;

    /** Poller: the handshake ended (done, failed or closed): no deadline for the wheel any more. */
    private void dropHandshakeTimer() {
        handshakePending = false;
        if (idleTimeoutNanos <= 0) {
            // Nothing else for the wheel: leave it now, so an idle poller stops ticking.
            poller.wheel().remove(this);
        }
    }

    /** The handshake's deadline ({@link System#nanoTime()}); only while {@link #handshakePending}. */
    long handshakeDeadlineNanos() {
        return tls.handshakeDeadlineNanos();
    }

    /** Poller thread: the idle wheel found the handshake's deadline passed. */
    void handshakeExpiredOnWheel() {
        checkHandshakeTimeoutOnPoller();
    }

    private void tlsWritePendingOnPoller() {
        if (closed != 0) {
            return;
        }
        tlsWritePending = true;
        if (tls.isHandshakeDone()) {
            setInterestOnPoller(SelectionKey.OP_WRITE, true);
        }
    }

    private void tlsTasksDoneOnPoller() {
        if (closed != 0) {
            return;
        }
        if (!tls.isHandshakeDone()) {
            tlsStepOnPoller();
        } else {
            // Tasks after the handshake (a post-handshake message): reading was off meanwhile.
            if (!in.readPaused && !in.eof && !outputPaused()) {
                setInterestOnPoller(SelectionKey.OP_READ, true);
            }
            in.onReadable();
        }
    }

    /** Poller: one handshake step; the interest follows what it waits for. */
    private void tlsStepOnPoller() {
        if (closed != 0) {
            return;
        }
        TlsSession.Step step;
        try {
            step = tls.handshake();
        } catch (IOException | RuntimeException e) {
            tlsFailed(e, true);
            return;
        }
        switch (step) {
            case NEED_READ -> setInterestExactOnPoller(SelectionKey.OP_READ);
            // Level-triggered: leaving OP_READ armed while waiting to write would spin.
            case NEED_WRITE -> setInterestExactOnPoller(SelectionKey.OP_WRITE);
            case RUNNING_TASKS -> setInterestExactOnPoller(0);
            case DONE -> tlsHandshakeDoneOnPoller();
        }
    }

    private void tlsHandshakeDoneOnPoller() {
        dropHandshakeTimer();
        tlsInfo = tls.info();
        counters.tls.handshakeDone(System.nanoTime() - createdNanos);
        setInterestExactOnPoller(tlsWritePending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        handshake.complete(null);
        // OnConnect first (the dispatch loop runs it before any request), then what came with the
        // last flight (already staged: the socket may never be readable again for it).
        if (connectPending || (onRequest != null && input.len() > 0)) {
            startTask();
        }
        in.onReadable();
        // A flush that waited for the handshake (HANDSHAKING) goes on now.
        out.onWritable();
    }

    /** Poller: closes a connection whose handshake is not done by the deadline. */
    private void checkHandshakeTimeoutOnPoller() {
        if (closed == 0 && tls.handshakeExpired(System.nanoTime())) {
            tlsFailed(
                    new SSLHandshakeException("TLS handshake timed out after "
                            + Duration.ofNanos(tls.handshakeDeadlineNanos() - createdNanos)),
                    true);
        }
    }

    /**
     * A TLS failure: counted by a bounded reason, the engine's alert sent (best effort), closed.
     * {@code duringHandshake} also fails the handshake (a dial waiting for it throws).
     */
    void tlsFailed(Throwable e, boolean duringHandshake) {
        if (closed != 0) {
            return;
        }
        TlsFailure why = classify(e, duringHandshake);
        counters.tls.failed(why, duringHandshake);
        LOG.log(
                System.Logger.Level.DEBUG,
                () -> "TLS " + (duringHandshake ? "handshake " : "") + "failure (" + why + ") with " + remoteAddress
                        + ": " + e);
        if (handshake != null) {
            handshake.completeExceptionally(e);
        }
        CloseReason r = why == TlsFailure.PEER_CLOSED ? CloseReason.PEER : CloseReason.ERROR;
        // The engine queued a fatal alert: close gracefully so the peer reads it (AlertLinger).
        alertLinger = why == TlsFailure.CERTIFICATE || why == TlsFailure.PROTOCOL || why == TlsFailure.RENEGOTIATION;
        closeWith(r, e);
    }

    private static TlsFailure classify(Throwable e, boolean duringHandshake) {
        if (e instanceof TlsRenegotiationException) {
            return TlsFailure.RENEGOTIATION;
        }
        if (e instanceof io.netpoll.tls.TlsTruncationException) {
            return TlsFailure.TRUNCATION;
        }
        if (!(e instanceof SSLException)) {
            return TlsFailure.PEER_CLOSED; // the socket failed: reset or closed
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("timed out")) {
            return TlsFailure.TIMEOUT;
        }
        if (m.contains("peer closed")) {
            return TlsFailure.PEER_CLOSED;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            // Not every GeneralSecurityException: a record that fails to decrypt (bad_record_mac)
            // has an AEADBadTagException (a BadPaddingException) as its cause.
            if (t instanceof java.security.cert.CertificateException
                    || t instanceof SSLPeerUnverifiedException
                    || t instanceof java.security.cert.CertPathValidatorException
                    || t instanceof java.security.cert.CertPathBuilderException) {
                return TlsFailure.CERTIFICATE;
            }
            String tm = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (tm.contains("certificate")
                    || tm.contains("certpath")
                    || tm.contains("no subject alternative")
                    || tm.contains("no name matching")) {
                return TlsFailure.CERTIFICATE;
            }
        }
        return TlsFailure.PROTOCOL;
    }

    /**
     * A dial with TLS: waits for the handshake (the connection closes itself at the handshake
     * timeout, so this wait is bounded). Throws the handshake's failure.
     */
    public void awaitHandshake() throws IOException {
        if (handshake == null || handshake.isDone() && !handshake.isCompletedExceptionally()) {
            return;
        }
        if (poller.inPoller() && !poller.handOffForWait()) {
            // An inline handler dialing: its thread is the poller that must drive this handshake.
            close();
            throw new IllegalStateException("a TLS dial on the thread of the poller that must drive its handshake "
                    + "(an inline handler) would wait for itself: dial from another thread");
        }
        try {
            handshake.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new InterruptedIOException("interrupted during the TLS handshake");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable t = e.getCause();
            if (t instanceof SSLException ssl) {
                SSLHandshakeException h = new SSLHandshakeException(ssl.getMessage());
                h.initCause(ssl);
                throw h;
            }
            throw new ConnectionClosedException("TLS handshake failed: " + t, t);
        }
    }

    /** Poller: sets the whole interest set (TLS handshake steps). */
    private void setInterestExactOnPoller(int ops) {
        if (closed == 0 && key != null && key.isValid() && interest != ops) {
            interest = ops;
            key.interestOps(ops);
        }
    }

    /** Poller: writable after the handshake with ciphertext of the pump's waiting (a key update reply). */
    private void tlsFlushPendingOnPoller() {
        tlsWritePending = false;
        try {
            if (!tls.flushPending()) {
                tlsWritePending = true;
                setInterestOnPoller(SelectionKey.OP_WRITE, true);
            }
        } catch (IOException e) {
            closeWith(CloseReason.RESET, e);
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
        if (tls != null && !tls.isHandshakeDone()) {
            tlsStepOnPoller();
            return;
        }
        if ((ready & SelectionKey.OP_READ) != 0) {
            in.onReadable();
        }
        // key == k: still ours (a close nulls it; after a TLS alert the key lives on in an AlertLinger).
        if ((ready & SelectionKey.OP_WRITE) != 0 && key == k && k.isValid()) {
            onWritable();
        }
    }

    private void onWritable() {
        if (key.isValid()) {
            interest &= ~SelectionKey.OP_WRITE;
            key.interestOps(interest);
        }
        if (tlsWritePending) {
            tlsFlushPendingOnPoller();
        }
        out.onWritable();
    }

    /** Poller: turns one interest on or off, if the key is still valid and the connection open. */
    void setInterestOnPoller(int op, boolean on) {
        if (closed == 0 && key != null && key.isValid()) {
            int next = on ? interest | op : interest & ~op;
            if (next != interest) {
                interest = next;
                key.interestOps(interest);
            }
        }
    }

    /** Poller: open with a valid key. */
    boolean isRegisteredOnPoller() {
        return closed == 0 && key != null && key.isValid();
    }

    /** Poller (adaptive): the slow reader caught up with its output: read from it and serve it again. */
    void resumeAfterOutputOnPoller() {
        if (!in.readPaused && !in.eof) {
            setInterestOnPoller(SelectionKey.OP_READ, true);
        }
        redispatchOnPoller();
    }

    /** Poller: tells a finishing handler loop that something is new, and starts one if none runs. */
    void redispatchOnPoller() {
        epoch = epoch + 1;
        if (onRequest != null) {
            startTask();
        }
    }

    /** Poller: something arrived (or EOF); a handler loop that is finishing looks again. */
    void bumpEpoch() {
        epoch = epoch + 1;
    }

    boolean hasHandler() {
        return onRequest != null;
    }

    /** Poller (adaptive): reading is off because of unsent output. */
    boolean outputPaused() {
        return out.outputPaused();
    }

    /** Poller: EOF; a level-triggered selector would report the socket forever, so stop asking. */
    void dropReadInterestAtEof() {
        if (key != null && key.isValid()) {
            interest &= ~SelectionKey.OP_READ;
            key.interestOps(interest);
        }
    }

    /** Wakes a thread blocked in a read, if any; returns it. */
    Thread wakeReader() {
        Thread w = readWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        return w;
    }

    /** Any thread: the reader consumed or wants more; let the poller read again if it paused. */
    void maybeResumeRead(boolean force) {
        in.maybeResumeRead(force);
    }

    boolean isHandlerThread() {
        return Thread.currentThread() == handlerThread;
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Poller thread: the idle wheel found no traffic for the idle timeout. */
    void idleExpired() {
        closeWith(CloseReason.IDLE, null);
    }

    // ---------------------------------------------------------------- dispatch

    private void startTask() {
        if (PROCESSING.compareAndSet(this, 0, 1)) {
            submit();
        }
    }

    private void submit() {
        if (onRole) {
            // Never run a handler here: this may be the selector's callback, which holds the
            // selector's lock. The poller runs its ready list after select returns.
            if (!poller.continueLater(this) && !poller.execute(task)) {
                PROCESSING.setVolatile(this, 0);
                closeWith(CloseReason.SHUTDOWN, null);
            }
            return;
        }
        try {
            if (dispatch instanceof WorkerPool pool) {
                pool.submit(this);
            } else {
                dispatch.execute(task);
            }
        } catch (RejectedExecutionException e) {
            PROCESSING.setVolatile(this, 0);
            closeWith(CloseReason.SHUTDOWN, e);
        }
    }

    /** Re-queues the running task (the processing flag stays held); false if it must keep running here. */
    private boolean yieldTurn() {
        if (onRole) {
            // False on a thread that lost the role (adaptive): it keeps running this connection.
            return poller.continueLater(this);
        }
        try {
            if (dispatch instanceof WorkerPool pool) {
                pool.submit(this);
            } else {
                dispatch.execute(task);
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
            for (; ; ) {
                if (adaptive && onRole && !(me instanceof RoleThread) && poller.run(backToPoller)) {
                    // Readmitted (its calls stopped blocking) while this loop ran on the offload
                    // pool: the next call belongs on the poller, which now holds the flag.
                    break;
                }
                long seen = epoch;
                if (connectPending) {
                    connectPending = false;
                    if (!runOnConnect()) {
                        break;
                    }
                }
                OnRequest h = onRequest;
                int before = input.len();
                boolean held = false;
                if (h != null && (before > 0 || eofCallDue()) && closed == 0) {
                    if (adaptive && out.aboveHighWater()) {
                        // A peer that does not read: stop serving it (and reading from it) until the
                        // poller has sent it down to the low-water mark; no thread waits for it.
                        held = true;
                        out.holdForOutput();
                    } else {
                        if (halfClosure && in.eof) {
                            eofCalled = true;
                        }
                        callHandler(h);
                    }
                }
                if (closed != 0) {
                    break;
                }
                int after = input.len();
                if (held) {
                    // Fall through to "nothing to do": the poller restarts the loop (epoch) when the
                    // output has drained.
                } else if (in.readPaused) {
                    if (h != null && after >= before && after >= maxInput && epoch == seen) {
                        LOG.log(
                                System.Logger.Level.WARNING,
                                () -> "closing " + remoteAddress + ": " + after
                                        + " unread input bytes (the limit) and the handler consumed none");
                        closeWith(CloseReason.ERROR, null);
                        break;
                    }
                    in.maybeResumeRead(false);
                }
                if (!held && h != null && after > 0 && (after < before || epoch != seen)) {
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
                if (in.eof && !held) {
                    if (closesAtEof()) {
                        closeWith(CloseReason.PEER, null);
                        break;
                    }
                    if (h != null && eofCallDue()) {
                        continue; // half-closure: one more call, which sees isInputShutdown()
                    }
                    // Half-closure: the output stays open until the handler closes or shuts it down.
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

    /** Half-closure: the peer's FIN came and no handler call has started since. */
    private boolean eofCallDue() {
        return halfClosure && !eofCalled && in.eof;
    }

    /** At EOF (input handled): close, unless half-closure keeps the output open until our FIN is out. */
    boolean closesAtEof() {
        return !halfClosure || out.finSent();
    }

    /** ConnOutput: our FIN is out; with the peer's FIN in as well, both directions are done. */
    void outputFinished() {
        if (in.eof) {
            closeWith(CloseReason.PEER, null);
        }
    }

    private void callHandler(OnRequest h) {
        counters.requestsTotal.increment();
        int stamp = adaptive ? beginCall() : -1;
        // Offloaded (adaptive, blocked once): timed, to come back to the poller when it stops blocking.
        long offloadedStart = adaptive && !onRole ? System.nanoTime() : 0;
        try {
            h.onRequest(context, this);
        } catch (Throwable t) {
            handlerFailed(t);
        } finally {
            if (adaptive) {
                endCall(stamp);
                if (offloadedStart != 0) {
                    readmitIfFast(System.nanoTime() - offloadedStart);
                }
            }
            counters.requestsFinished.increment();
            input.release();
        }
    }

    private boolean runOnConnect() {
        int stamp = adaptive ? beginCall() : -1;
        try {
            context = onConnect.onConnect(context, this);
            return true;
        } catch (Throwable t) {
            handlerFailed(t);
            return false;
        } finally {
            if (adaptive) {
                endCall(stamp);
            }
        }
    }

    /**
     * Adaptive mode, before a handler call: lets the monitor see it (the thread's call counter)
     * and, on the thread holding the role, marks the role IN_HANDLER so the monitor may take it.
     */
    /**
     * An offloaded connection whose calls have all been quick for a while goes back to the poller
     * (a call that looked blocked may have been a thread starved of CPU, not a blocking handler).
     * Handler thread only (the processing flag orders the calls of a connection).
     */
    private void readmitIfFast(long callNanos) {
        if (callNanos >= OFFLOAD_AFTER_NANOS) {
            fastCallsOffloaded = 0;
        } else if (++fastCallsOffloaded >= READMIT_AFTER_FAST_CALLS) {
            fastCallsOffloaded = 0;
            onRole = true;
            counters.handlersReadmitted.increment();
        }
    }

    private int beginCall() {
        if (Thread.currentThread() instanceof RoleThread rt) {
            rt.gaveRoleAway = false;
            // The role's volatile state first: the monitor's last look before it parks reads it.
            int stamp = poller.enterHandler();
            rt.beginCall();
            if (stamp == -1 && longCallsInARow != 0) {
                // The thread that lost the role runs the call itself: timed, so that a quick one
                // breaks the streak of long calls as it would on the poller (see endCall).
                offRoleCallStart = System.nanoTime();
            }
            return stamp;
        }
        return -1;
    }

    /**
     * After the call: takes the role back unless it was taken (the thread then finishes this
     * connection's handler loop as a plain worker; {@code yieldTurn} and {@code flush} see that
     * it no longer holds the role).
     */
    private void endCall(int stamp) {
        if (Thread.currentThread() instanceof RoleThread rt) {
            rt.endCall();
            if (stamp == -1) {
                if (longCallsInARow != 0 && System.nanoTime() - offRoleCallStart < OFFLOAD_AFTER_NANOS) {
                    longCallsInARow = 0;
                }
                return;
            }
            if (poller.exitHandler(stamp)) {
                if (longCallsInARow != 0) {
                    longCallsInARow = 0; // no store on the usual path
                }
                return;
            }
            if (rt.gaveRoleAway || !onRole || System.nanoTime() - rt.retakenAt < OFFLOAD_AFTER_NANOS) {
                // A hand-off to wait in netpoll; or a call caught by a pause of the whole JVM (GC),
                // which ends at once after it.
                return;
            }
            // The monitor took the role from this call and it went on for a while. If it blocked
            // outside netpoll (sleep, connect, lock, JDBC), its next calls go to the offload pool,
            // not the poller. One that only ran (cold code, a big computation) or waited for a CPU
            // (JIT threads or a handshake storm on the poller's core) moves only on the
            // connection's third such call in a row: computing for ticks on every request would
            // cost its poller a retake each time.
            if (rt.blockedAfterRetake || blockedSinceRetake(rt) || ++longCallsInARow >= OFFLOAD_AFTER_LONG_CALLS) {
                longCallsInARow = 0;
                onRole = false;
                counters.handlersOffloaded.increment();
            }
        }
    }

    /**
     * Whether this thread blocked since the monitor took its role: it has given up its CPU to
     * wait twice or more since, or it was waiting then and stayed so for OFFLOAD_AFTER_NANOS
     * (Linux; see ThreadSched.blockedBetween; the monitor's later looks, RoleThread.blockedAfterRetake,
     * catch a call still on its way into its wait at the retake). True where that is not known:
     * wall time decides.
     */
    private static boolean blockedSinceRetake(RoleThread rt) {
        ThreadSched.Look then = rt.lookAtRetake;
        ThreadSched.Look now = then == null ? null : ThreadSched.look(rt.tid);
        return now == null || ThreadSched.blockedBetween(then, now, OFFLOAD_AFTER_NANOS);
    }

    private void handlerFailed(Throwable t) {
        if (t instanceof WriteTimeoutException && closed != 0 && reason == CloseReason.WRITE_TIMEOUT) {
            // The flush already closed the connection and counted it (writeTimeoutCloses): the
            // peer stopped reading, the handler did nothing wrong.
            return;
        }
        if (t instanceof ConnectionClosedException && (closed != 0 || in.eof)) {
            // The handler only noticed that the connection is going away: not its fault.
            closeWith(CloseReason.PEER, null);
            return;
        }
        // Counting, logging and the application's onError hook: in one place (ErrorPolicy).
        if (owner.errors().handlerFailed(this, context, t)) {
            closeWith(CloseReason.HANDLER, t);
        }
    }

    /** Closes the connection if no handler is running (and keeps one from starting). */
    public boolean closeIfIdle() {
        if (PROCESSING.compareAndSet(this, 0, 1)) {
            closeWith(CloseReason.SHUTDOWN, null);
            return true;
        }
        return closed != 0;
    }

    // ---------------------------------------------------------------- reference counting

    private boolean tryAcquire() {
        for (; ; ) {
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
        if (poller.inPoller() && !(adaptive && Thread.currentThread() == handlerThread && poller.handOffForWait())) {
            // Inline mode (or code outside a handler call on the poller): waiting would stall the poller.
            throw new IllegalStateException("a handler running on the poller (inline mode) must not wait for data: "
                    + "check reader().len() first and return to wait for more");
        }
        // Adaptive: the role went to a spare thread; this thread waits as a plain worker. A wait in
        // netpoll is not "blocked" for the monitor's report (the call counter shows no call).
        RoleThread tracked = pauseCallTracking();
        long timeout = readTimeoutNanos;
        long deadline = timeout > 0 ? System.nanoTime() + timeout : 0;
        Thread me = Thread.currentThread();
        readWaiter = me;
        in.maybeResumeRead(true); // a reader asking for more than is buffered may go past the limit
        boolean blocking = WorkerPool.beginBlocking();
        try {
            for (; ; ) {
                // Dekker with the poller's publish (ConnInput.published): readWaiter was stored
                // (volatile) above, and this volatile load of epoch comes before the look at the
                // input. The poller bumps epoch (a volatile store) after it publishes bytes and
                // before it loads readWaiter, so in the order of volatile accesses either it sees
                // us (and unparks) or this load sees its bump, and then the bytes below.
                long published = epoch;
                if (satisfied(n, delim, byDelim)) {
                    return;
                }
                if (closed != 0) {
                    throw closedException();
                }
                if (in.eof) {
                    if (satisfied(n, delim, byDelim)) {
                        return;
                    }
                    if (onRequest == null && closesAtEof()) {
                        closeWith(CloseReason.PEER, null);
                    }
                    throw new EndOfStreamException("the peer closed the connection before sending enough data");
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
            resumeCallTracking(tracked);
        }
    }

    /**
     * Adaptive: a handler about to wait in netpoll (for data, or for a peer to take output past
     * the limit) is not "blocked" for the monitor's report: its call counter shows no call meanwhile.
     */
    RoleThread pauseCallTracking() {
        if (adaptive && Thread.currentThread() instanceof RoleThread rt && (rt.calls() & 1) == 1) {
            rt.endCall();
            return rt;
        }
        return null;
    }

    static void resumeCallTracking(RoleThread tracked) {
        if (tracked != null) {
            tracked.beginCall();
        }
    }

    /** True when the peer closed and everything it sent has been read. */
    boolean atEof() {
        return in.eof && input.len() == 0;
    }

    // ---------------------------------------------------------------- flush

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        closeWith(CloseReason.LOCAL, null);
    }

    /** Starts closing. Idempotent; the first reason wins. True if this call closed the connection. */
    boolean closeWith(CloseReason why, Throwable cause) {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            return false;
        }
        reason = why;
        if (why == CloseReason.WRITE_TIMEOUT) {
            counters.writeTimeoutCloses.increment(); // before the close, so a peer that saw EOF also sees the count
        }
        if (cause != null && why != CloseReason.HANDLER) {
            LOG.log(System.Logger.Level.DEBUG, () -> "closing " + remoteAddress + ": " + cause);
        }
        Thread w = readWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        out.wakeWaiter();
        if (!poller.run(closeTask)) {
            closeTask.run();
        }
        CallbackNode node = (CallbackNode) CLOSING.getAndSet(this, DONE);
        for (; node != null && node != DONE; node = node.next()) {
            runCallback(node.callback());
        }
        return true;
    }

    private void closeOnPoller() {
        boolean lingers = false;
        if (tls != null) {
            // close_notify (or the alert of a failure), best effort: whatever the socket takes now.
            boolean sent = tls.closeOutbound();
            if (poller.inPoller()) {
                dropHandshakeTimer();
                // After a fatal alert sent in full: FIN, then discard input for a bounded while
                // before the close, so unread input does not turn it into a reset that hides the alert.
                lingers = alertLinger && sent && key != null && AlertLinger.start(poller, channel, key);
            }
            if (!handshake.isDone()) {
                handshake.completeExceptionally(closedException());
            }
        }
        if (lingers) {
            key = null; // the linger owns the key and the channel now, and closes both
        } else if (key != null) {
            key.cancel();
            key = null;
            poller.deregistered();
        }
        if (poller.inPoller()) {
            poller.wheel().remove(this);
        }
        if (!lingers) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "error closing a socket", e);
            }
        }
        release();
    }

    private void finish() {
        if (mode != HandlerMode.INLINE && poller.inPoller()) {
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
            CloseReason why = reason;
            if ((why == CloseReason.PEER || why == CloseReason.RESET) && onDisconnect != null) {
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
            if (tls != null) {
                tls.free();
            }
            input.close();
            output.close();
            counters.active.decrement();
            counters.closed(reason);
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
        CloseReason r = reason;
        return new ConnectionClosedException(r == null ? CloseReason.LOCAL.message : r.message);
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
        if (closed != 0 && reason == CloseReason.PEER) {
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
                if (in.eof) {
                    return -1;
                }
                throw e;
            }
            int n = Math.min(dst.remaining(), input.len());
            dst.put(input.next(n));
            input.release();
            in.maybeResumeRead(false);
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
        return closed == 0 && !in.eof;
    }

    @Override
    public boolean isInputShutdown() {
        return in.eof || closed != 0;
    }

    @Override
    public void shutdownOutput() {
        if (tls != null) {
            throw new UnsupportedOperationException("shutdownOutput() is not supported on TLS connections yet");
        }
        boolean entered;
        try {
            entered = enter();
        } catch (ConnectionClosedException closedAlready) {
            return;
        }
        try {
            if (closed == 0) {
                out.requestFin();
            }
        } finally {
            exit(entered);
        }
    }

    @Override
    public boolean isOutputShutdown() {
        return out.outputShutdown() || closed != 0;
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
        idleArmedNanos = System.nanoTime(); // first: the wheel may see the new timeout at once
        idleTimeoutNanos = ConnSettings.nanos(timeout);
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
        for (; ; ) {
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
    public void addClosingCallback(CloseCallback callback) {
        if (callback == null) {
            throw new NullPointerException("callback");
        }
        for (; ; ) {
            CallbackNode head = closing;
            if (head == DONE) {
                runCallback(callback);
                return;
            }
            if (CLOSING.compareAndSet(this, head, new CallbackNode(callback, head))) {
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

    // ---------------------------------------------------------------- operator view

    /** This connection's id, unique in the JVM. */
    public long id() {
        return id;
    }

    /** Nanosecond timestamp of creation, for ordering by age. */
    public long createdNanos() {
        return createdNanos;
    }

    /**
     * When the connection last read or sent bytes (or was created), on its poller's coarse clock:
     * at most one poller turn early (see {@link Poller#clockNanos}). Racy reads of single-writer
     * fields: the idle wheel and the operator view.
     */
    long lastActivityNanos() {
        return Math.max(in.lastReadNanos, out.lastSentNanos);
    }

    /** The idle wheel: the latest of the last activity and the moment the idle timeout was set. */
    long idleSinceNanos() {
        return Math.max(lastActivityNanos(), idleArmedNanos);
    }

    /** Bytes read plus bytes sent, for ordering by traffic (racy reads: a diagnostic). */
    public long totalBytes() {
        return in.received + out.sent();
    }

    /** A snapshot for the operator view; any thread, touches nothing the connection's threads wait on. */
    public io.netpoll.ConnectionInfo info() {
        long now = System.nanoTime();
        String state;
        if (closed != 0) {
            state = "closing";
        } else if (in.eof) {
            state = "peer-closed";
        } else if (in.readPaused) {
            state = "read-paused";
        } else if (processing != 0) {
            state = "in-handler";
        } else {
            state = "open";
        }
        long idle = Math.max(0, now - lastActivityNanos());
        return new io.netpoll.ConnectionInfo(
                id,
                localAddress,
                remoteAddress,
                createdAtMillis,
                now - createdNanos,
                idle,
                in.received,
                out.sent(),
                Math.max(0, input.len()),
                Math.max(0, output.len()),
                state,
                poller.name());
    }

    @Override
    public TlsSessionInfo tlsSession() {
        return tlsInfo;
    }

    @Override
    public String toString() {
        return "Connection[" + localAddress + " <-> " + remoteAddress + (closed != 0 ? ", closed" : "") + "]";
    }
}
