package io.netpoll.internal.tls;

import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.internal.LinkBufferAccess;
import io.netpoll.tls.TlsConfig;
import io.netpoll.tls.TlsRenegotiationException;
import io.netpoll.tls.TlsSessionInfo;
import io.netpoll.tls.TlsTruncationException;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLProtocolException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * TLS for one connection, between the socket and the plaintext {@link LinkBuffer}s, over an
 * {@link SSLEngine}. Non-blocking throughout: every method does what the socket allows now and
 * says what the caller must wait for.
 *
 * <h2>Data path</h2>
 * <pre>
 * socket --read--> ciphertext staging (a pooled heap block) --unwrap--> input LinkBuffer nodes
 *                  (malloc in the input, unwrap into that view, mallocAck what was produced)
 * output LinkBuffer nodes --wrap (gathered views, one call per record of at most 16 KiB)-->
 *                  ciphertext staging (a pooled heap block) --write--> socket
 * </pre>
 * Plaintext is never staged: the engine decrypts in place in the ciphertext block and copies
 * into the input's nodes, and copies from views of the output's nodes into the ciphertext block,
 * where it encrypts in place. Ciphertext is on the heap because the JDK's AES-GCM is about three
 * times faster there ({@link CipherBlocks}); socket reads and writes of heap staging go through a
 * direct block taken for that one call (what the JDK would do through a thread-local buffer).
 * Reading stops after a read that did not fill the room offered: the socket is drained and
 * the selector reports what comes next. Both stagings are taken when needed and given back as
 * soon as they are empty, so an idle session holds no buffer ({@link #holdsStaging()}).
 *
 * <h2>Seams</h2>
 * Ciphertext comes from a {@link ReadableByteChannel} and goes to a {@link GatheringByteChannel}
 * (both non-blocking; a {@code SocketChannel} is both); the session calls {@link Host} for the two
 * things that happen outside a call: delegated tasks finished, and ciphertext the input pump
 * produced could not be sent (a key update reply on a full socket).
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li><b>Input pump</b> (one thread at a time, normally the poller): {@link #handshake()},
 *       {@link #read(int)}. It is the input buffer's writer and owns the ciphertext read side.</li>
 *   <li><b>Flusher</b> (the output buffer's reader): {@link #flush(LinkBuffer)}.</li>
 *   <li>Any thread: {@link #flushPending()}, {@link #closeOutbound()}, the getters.</li>
 * </ul>
 * The outbound side (wrapping and writing ciphertext) is guarded by a flag taken with one
 * compare-and-set and never held while waiting. The pump never waits for it: when the flusher
 * holds it, the pump leaves a request that the holder serves before letting go. {@link #free()}
 * must not race with anything.
 *
 * <h2>Handshake</h2>
 * Driven by the pump: {@link #handshake()} returns what to wait for ({@link Step}). Delegated
 * tasks run on the executor given, never on the pump, and end with {@link Host#tasksDone()}.
 * TLS 1.3's FINISHED reported twice by the JDK engine (once by unwrap, once by the following
 * wrap) is harmless: finishing is idempotent. The deadline is {@link #handshakeDeadlineNanos()}:
 * the caller closes the connection when it passes ({@link #handshakeExpired}).
 *
 * <h2>After the handshake</h2>
 * TLS 1.3 post-handshake messages (key update, new session ticket) are handled, replies included.
 * Renegotiation is refused: a TLS 1.2 handshake record after the handshake, or an engine that
 * starts handshaking again on a TLS 1.2 session, fails with {@link TlsRenegotiationException}.
 * A peer's {@code close_notify} ends the input cleanly ({@link #read} returns -1); end of stream
 * without it is {@link TlsTruncationException}.
 *
 * <h2>Errors</h2>
 * Protocol failures are {@link SSLException}s (the engine has queued an alert:
 * {@link #closeOutbound()} sends it, best effort, then close the socket, gracefully when the
 * peer may still be sending: {@link AlertLinger}); socket failures are the channels'
 * {@link IOException}s. After a failure the session must not be used except for
 * {@link #closeOutbound()} and {@link #free()}.
 */
public final class TlsSession {
    /** drainTo, which is not LinkBuffer's public API. */
    private static final LinkBufferAccess.Transport BUFFERS = LinkBufferAccess.transport();

    /** What a {@link #handshake()} step waits for. */
    public enum Step {
        /** More ciphertext from the peer: call again when the channel is readable. */
        NEED_READ,
        /** The channel is full: call again when it is writable (reading is not needed meanwhile). */
        NEED_WRITE,
        /** Delegated tasks run on the executor: call again after {@link Host#tasksDone()}. */
        RUNNING_TASKS,
        /** The handshake is complete and its last flight sent; {@link #info()} is set. */
        DONE
    }

    /** What a session asks of its connection outside a call. Methods may be called on any thread. */
    public interface Host {
        /**
         * Delegated tasks finished (called on the executor's thread, after which they are done):
         * continue {@link #handshake()} or {@link #read} on the input pump.
         */
        void tasksDone();

        /**
         * Ciphertext that is not application data (a handshake or key update reply, an alert)
         * is staged and the channel was full: call {@link #flushPending()} when it is writable.
         */
        void writePending();
    }

    /** {@link #flush} sent everything. */
    public static final int FLUSHED = 0;
    /** {@link #flush}: the channel is full; call again when it is writable. */
    public static final int BLOCKED = 1;
    /** {@link #flush}: the handshake is not complete; nothing was sent. */
    public static final int HANDSHAKING = 2;

    private static final VarHandle OUT_LOCK;

    static {
        try {
            OUT_LOCK = MethodHandles.lookup().findVarHandle(TlsSession.class, "outLock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** TLS record header: type, version (2), length (2). */
    private static final int HEADER = 5;

    private static final byte HANDSHAKE_RECORD = 22;
    /**
     * The largest record payload TLS allows (2^14 + 2048, RFC 5246 6.2.3; TLS 1.3 allows less).
     * A header claiming more is refused before its bytes are buffered: a peer cannot make a
     * session stage 64 KiB by announcing a record it never finishes.
     */
    private static final int MAX_RECORD_PAYLOAD = (1 << 14) + 2048;
    /** The inbound block: a whole maximum record (16709 bytes) and the next one's start. */
    private static final int READ_BLOCK = 32 * 1024;
    /** Compact before reading when the room after the staged bytes falls below this. */
    private static final int MIN_READ_ROOM = 4 * 1024;
    /** The most plaintext a record carries (2^14). */
    private static final int RECORD_PLAINTEXT = 1 << 14;
    /** The outbound block: three maximum records, so wrapping runs at most 64 KiB ahead of the socket. */
    private static final int WRITE_BLOCK = 64 * 1024;
    /** What a mostly empty inbound block shrinks to. */
    private static final int SMALL_BLOCK = 4 * 1024;
    /** Use the input's tail room for plaintext when at least this much is left. */
    private static final int MIN_TAIL = 256;
    /** Bound on engine calls per step: a buggy engine must not spin the pump forever. */
    private static final int MAX_STEPS = 10_000;

    private static final ByteBuffer[] NO_DATA = {ByteBuffer.allocate(0)};

    private static final int IN_OPEN = 0;
    private static final int IN_EOF = 1;
    private static final int IN_CLOSED = 2;

    private final SSLEngine engine;
    private final boolean client;
    private final ReadableByteChannel source;
    private final GatheringByteChannel sink;
    private final LinkBuffer input;
    private final Executor taskExecutor;
    private final Host host;
    private final long handshakeDeadline;

    // Input pump side.
    private final CipherBlocks blocks;
    /**
     * Direct blocks through which heap staging meets the socket (null when staging is direct):
     * taken for one read or write and given back at once.
     */
    private final CipherBlocks scratch;
    /** Copy a record's views into one block before wrapping (native engines: see WrapChannel). */
    private final boolean coalesce;
    /** Staged ciphertext is {@code in[inRead, inWrite)}; null when none is staged. */
    private ByteBuffer in;

    private int inRead;
    private int inWrite;
    private int inEnd;
    /** Size of the record being staged (5 while its header is incomplete), 0 when none. */
    private int pendingRecord;
    /** Plaintext malloc'd and kept in the input since its last flush. */
    private int pendingPlain;
    /** The room offered to the last ciphertext read: a read that returned less drained the socket. */
    private int readRoom;

    private final ByteBuffer[] dsts = new ByteBuffer[2];
    private int inState = IN_OPEN;
    private boolean started;
    private boolean engineFinished;

    // Outbound side, guarded by outLock.
    /** Ciphertext not yet written is {@code out[outRead, outWrite)}; null when there is none. */
    private ByteBuffer out;

    private int outRead;
    private int outWrite;
    private final WrapChannel wrapper = new WrapChannel();
    private int packetSize;
    private boolean closeSent;

    @SuppressWarnings("unused") // accessed through OUT_LOCK
    private volatile int outLock;
    /** The pump needs a non-application wrap (a reply) that the outbound holder must do. */
    private volatile boolean wrapRequested;

    // Shared.
    private volatile boolean handshakeDone;
    private volatile boolean tls13;
    private volatile boolean tasksRunning;
    private volatile IOException asyncFailure;
    private volatile TlsSessionInfo info;
    /** Gives the engine back to its factory; set by {@link #open}, run once by {@link #free()}. */
    private TlsConfig releaseTo;

    /**
     * @param engine          a fresh engine in the right mode ({@link TlsConfig#newEngine})
     * @param source          where ciphertext is read from (non-blocking)
     * @param sink            where ciphertext is written to (non-blocking)
     * @param input           the connection's plaintext input; this session is its writer
     * @param blocks          where ciphertext staging memory comes from
     * @param taskExecutor    runs delegated handshake tasks (never the input pump)
     */
    public TlsSession(
            SSLEngine engine,
            Duration handshakeTimeout,
            ReadableByteChannel source,
            GatheringByteChannel sink,
            LinkBuffer input,
            CipherBlocks blocks,
            Executor taskExecutor,
            Host host) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.client = engine.getUseClientMode();
        this.source = Objects.requireNonNull(source, "source");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.input = Objects.requireNonNull(input, "input");
        this.taskExecutor = Objects.requireNonNull(taskExecutor, "taskExecutor");
        this.host = Objects.requireNonNull(host, "host");
        this.handshakeDeadline = System.nanoTime() + handshakeTimeout.toNanos();
        this.blocks = Objects.requireNonNull(blocks, "blocks");
        this.scratch = blocks.isDirect() ? null : CipherBlocks.sharedDirect();
        this.coalesce = blocks.isDirect();
        this.packetSize = engine.getSession().getPacketBufferSize();
    }

    /**
     * A session for a new connection from {@code config} (one engine from its factory, given back
     * to it by {@link #free()}).
     */
    public static TlsSession open(
            TlsConfig config,
            String peerHost,
            int peerPort,
            ReadableByteChannel source,
            GatheringByteChannel sink,
            LinkBuffer input,
            Executor taskExecutor,
            Host host) {
        SSLEngine engine = config.newEngine(peerHost, peerPort);
        TlsSession session;
        try {
            session = new TlsSession(
                    engine,
                    config.handshakeTimeout(),
                    source,
                    sink,
                    input,
                    config.prefersDirectBuffers() ? CipherBlocks.sharedDirect() : CipherBlocks.shared(),
                    taskExecutor,
                    host);
        } catch (RuntimeException e) {
            config.releaseEngine(engine);
            throw e;
        }
        session.releaseTo = config;
        return session;
    }

    // ---------------------------------------------------------------- handshake (input pump)

    /**
     * Input pump: advances the handshake as far as the channels allow and returns what to wait
     * for. Returns {@link Step#DONE} at once after the handshake. Ciphertext that arrived with the
     * last flight stays staged: call {@link #read} after {@code DONE}.
     *
     * @throws SSLHandshakeException the handshake failed (the engine queued an alert; see class comment)
     * @throws SSLException          a protocol failure
     * @throws IOException           the channel failed
     */
    public Step handshake() throws IOException {
        checkFailure();
        if (handshakeDone) {
            return Step.DONE;
        }
        if (tasksRunning) {
            return Step.RUNNING_TASKS;
        }
        lockOut();
        try {
            if (!started) {
                started = true;
                engine.beginHandshake();
            }
            boolean wrapAgain = false;
            for (int i = 0; i < MAX_STEPS; i++) {
                if (!drainCipher()) {
                    return Step.NEED_WRITE;
                }
                // A wrap's own result comes first: Netty's OpenSSL engine says NEED_WRAP in the
                // result of the wrap that produced an alert while getHandshakeStatus() already says
                // NEED_UNWRAP, and throws the handshake's failure (a refused certificate) only from
                // the next wrap; going by getHandshakeStatus() would wait for the peer instead.
                HandshakeStatus hs = wrapAgain ? HandshakeStatus.NEED_WRAP : engine.getHandshakeStatus();
                wrapAgain = false;
                switch (hs) {
                    case NEED_TASK:
                        startTasks();
                        return Step.RUNNING_TASKS;
                    case NEED_WRAP:
                        SSLEngineResult wrapped = wrapHandshake();
                        if (wrapped == null) {
                            throw new SSLHandshakeException(
                                    "TLS handshake failed: the engine closed (" + engine.getHandshakeStatus() + ")");
                        }
                        wrapAgain = wrapped.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
                        break;
                    case NEED_UNWRAP:
                    case NEED_UNWRAP_AGAIN:
                        int consumed = unwrapRecords(true);
                        if (inState != IN_OPEN) {
                            throw new SSLHandshakeException("the peer closed TLS during the handshake");
                        }
                        if (tasksRunning) {
                            return Step.RUNNING_TASKS;
                        }
                        if (consumed > 0 || !wantsUnwrap(engine.getHandshakeStatus())) {
                            break;
                        }
                        int n = readCipher();
                        if (n == 0) {
                            return Step.NEED_READ;
                        }
                        if (n < 0) {
                            inState = IN_CLOSED;
                            throw new SSLHandshakeException("the peer closed the connection during the TLS handshake");
                        }
                        break;
                    default: // NOT_HANDSHAKING (or FINISHED)
                        if (engine.isOutboundDone() || engine.isInboundDone()) {
                            throw new SSLHandshakeException("TLS handshake failed: the engine closed");
                        }
                        finished();
                        handshakeDone = true;
                        return Step.DONE;
                }
            }
            throw new SSLException("TLS handshake made no progress in " + MAX_STEPS + " steps");
        } finally {
            publishPlain();
            unlockOut();
            trimStaging();
        }
    }

    /** True while delegated tasks run: the input pump should not read meanwhile. */
    public boolean tasksRunning() {
        return tasksRunning;
    }

    public boolean isHandshakeDone() {
        return handshakeDone;
    }

    /** {@link System#nanoTime()} by which the handshake must be done. */
    public long handshakeDeadlineNanos() {
        return handshakeDeadline;
    }

    /** True when the handshake is not done and {@code nowNanos} (a {@link System#nanoTime()}) is past the deadline. */
    public boolean handshakeExpired(long nowNanos) {
        return !handshakeDone && nowNanos - handshakeDeadline >= 0;
    }

    /** What the handshake negotiated; null before {@link Step#DONE}. */
    public TlsSessionInfo info() {
        return info;
    }

    // ---------------------------------------------------------------- input (input pump)

    /**
     * Input pump, after the handshake: unwraps what is staged, reads up to about {@code budget}
     * ciphertext bytes from the source and unwraps every complete record straight into the input
     * buffer, then flushes the input. Returns the plaintext bytes made readable (0 when the
     * source had nothing; also 0 while {@link #tasksRunning()}), or -1 once the peer has closed
     * with {@code close_notify} and everything before it was returned.
     *
     * @throws TlsTruncationException     end of stream without {@code close_notify} (after the
     *                                    plaintext before it was returned by earlier calls)
     * @throws TlsRenegotiationException a TLS 1.2 renegotiation attempt
     * @throws SSLException               a bad record
     * @throws IOException                the source failed (reset)
     */
    public int read(int budget) throws IOException {
        checkFailure();
        if (!handshakeDone) {
            throw new IllegalStateException("read before the TLS handshake is done");
        }
        if (inState == IN_CLOSED) {
            return -1;
        }
        int produced = 0;
        if (inState == IN_OPEN) {
            produced = readRecords(budget);
        }
        if (produced > 0 || tasksRunning) {
            return produced;
        }
        if (inState == IN_EOF) {
            inState = IN_CLOSED;
            if (!engine.isInboundDone()) {
                try {
                    engine.closeInbound();
                } catch (SSLException e) {
                    throw new TlsTruncationException("the peer closed the connection without TLS close_notify"
                            + (inWrite > inRead ? " (in the middle of a record)" : ""));
                }
            }
            return -1;
        }
        return 0;
    }

    private int readRecords(int budget) throws IOException {
        int before = pendingPlain;
        int produced;
        try {
            int read = 0;
            for (int i = 0; i < MAX_STEPS; i++) {
                unwrapRecords(false);
                if (inState != IN_OPEN || tasksRunning || read >= budget) {
                    break;
                }
                int n = readCipher();
                if (n > 0) {
                    read += n;
                    if (n < readRoom) {
                        // A short read drained the socket: unwrap it and skip the read that would
                        // return 0 (the selector is level-triggered and reports what comes next).
                        unwrapRecords(false);
                        break;
                    }
                } else {
                    if (n < 0) {
                        inState = engine.isInboundDone() ? IN_CLOSED : IN_EOF;
                    }
                    break;
                }
            }
        } finally {
            produced = pendingPlain - before;
            publishPlain();
            trimStaging();
        }
        return produced;
    }

    /**
     * Unwraps complete staged records into the input (kept unflushed). During the handshake it
     * stops when the engine no longer wants to unwrap. Returns the ciphertext bytes consumed.
     */
    private int unwrapRecords(boolean handshaking) throws IOException {
        int consumed = 0;
        boolean grown = false;
        while (inState == IN_OPEN || (inState == IN_EOF && !handshaking)) {
            if (handshaking && !wantsUnwrap(engine.getHandshakeStatus())) {
                break;
            }
            int staged = inWrite - inRead;
            if (staged == 0) {
                pendingRecord = 0;
                break;
            }
            int packet = recordSize(staged);
            if (packet < 0) {
                pendingRecord = HEADER;
                break;
            }
            if (packet > 0) {
                if (packet - HEADER > MAX_RECORD_PAYLOAD) {
                    throw new SSLProtocolException("TLS record of " + (packet - HEADER) + " bytes announced (at most "
                            + MAX_RECORD_PAYLOAD + " allowed)");
                }
                if (handshakeDone && !tls13 && in.get(inRead) == HANDSHAKE_RECORD) {
                    throw renegotiation();
                }
                if (staged < packet) {
                    pendingRecord = packet;
                    break;
                }
            }
            int need =
                    packet > 0 && !grown ? packet - HEADER : engine.getSession().getApplicationBufferSize();
            int k = prepareDsts(Math.max(need, 1));
            in.limit(inWrite).position(inRead);
            SSLEngineResult r = null;
            try {
                r = engine.unwrap(in, dsts, 0, k);
            } finally {
                dsts[0] = null;
                dsts[1] = null;
                inRead = in.position();
                if (r == null) {
                    // A bad record: drop the room reserved for it, or the flush would publish it.
                    input.mallocAck(pendingPlain);
                }
            }
            consumed += r.bytesConsumed();
            pendingPlain += r.bytesProduced();
            input.mallocAck(pendingPlain);
            switch (r.getStatus()) {
                case BUFFER_UNDERFLOW:
                    // Not a record we could size (an SSLv2-style hello): wait for more, bounded.
                    if (staged >= 2 * READ_BLOCK) {
                        throw new SSLException("TLS record larger than " + 2 * READ_BLOCK + " bytes");
                    }
                    pendingRecord = staged + 1;
                    return consumed;
                case BUFFER_OVERFLOW:
                    // The header bound should always do; if not, retry once with the engine's size.
                    if (grown) {
                        throw new SSLException("TLS engine needs more room than its application buffer size");
                    }
                    grown = true;
                    continue;
                case CLOSED:
                    inState = IN_CLOSED;
                    pendingRecord = 0;
                    if (r.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                        requestWrap(); // the close_notify reply (TLS 1.2)
                    }
                    return consumed;
                default:
                    grown = false;
            }
            switch (r.getHandshakeStatus()) {
                case FINISHED:
                    finished();
                    break;
                case NEED_TASK:
                    if (handshakeDone && !tls13) {
                        throw renegotiation();
                    }
                    startTasks();
                    return consumed;
                case NEED_WRAP:
                    if (handshaking) {
                        return consumed; // the handshake loop wraps
                    }
                    if (!tls13) {
                        throw renegotiation();
                    }
                    requestWrap(); // a key update reply
                    break;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    if (handshakeDone && !tls13) {
                        throw renegotiation();
                    }
                    break;
                default:
                    break;
            }
        }
        return consumed;
    }

    private static boolean wantsUnwrap(HandshakeStatus hs) {
        return hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN;
    }

    /** Total size of the record at {@code inRead}: -1 while its header is incomplete, 0 if it is not a TLS record. */
    private int recordSize(int staged) {
        if (staged < HEADER) {
            return -1;
        }
        int type = in.get(inRead) & 0xff;
        int major = in.get(inRead + 1) & 0xff;
        if (type < 20 || type > 24 || major != 3) {
            return 0; // let the engine judge (and reject) it
        }
        return HEADER + (((in.get(inRead + 3) & 0xff) << 8) | (in.get(inRead + 4) & 0xff));
    }

    /** Views of the input's memory with room for {@code need} plaintext bytes: the tail node's room first. */
    private int prepareDsts(int need) {
        int avail = input.mallocAvailable();
        if (avail >= need || avail < MIN_TAIL) {
            dsts[0] = input.malloc(need);
            return 1;
        }
        dsts[0] = input.malloc(avail);
        dsts[1] = input.malloc(need - avail);
        return 2;
    }

    private void publishPlain() {
        // Drops the unused tail of the last malloc (mallocAck already did) and publishes.
        pendingPlain = 0;
        input.flush();
    }

    private SSLException renegotiation() {
        return new TlsRenegotiationException("TLS renegotiation refused (the peer started a new handshake on a "
                + engine.getSession().getProtocol() + " connection)");
    }

    /** Reads ciphertext into the staging block: bytes read, 0 when none, -1 at end of stream. */
    private int readCipher() throws IOException {
        ensureRoom();
        readRoom = inEnd - inWrite;
        int n;
        if (scratch == null) {
            in.limit(inEnd).position(inWrite);
            n = source.read(in);
        } else {
            ByteBuffer s = scratch.take(readRoom);
            try {
                s.limit(readRoom);
                n = source.read(s);
                if (n > 0) {
                    in.limit(inEnd).put(inWrite, s, 0, n);
                }
            } finally {
                scratch.give(s);
            }
        }
        if (n > 0) {
            inWrite += n;
        }
        return n;
    }

    /** Makes room in the staging block for the record being staged and a useful read. */
    private void ensureRoom() {
        int need = Math.max(pendingRecord, 0);
        int wanted = Math.max(READ_BLOCK, need);
        if (in == null) {
            in = blocks.take(wanted);
            inRead = 0;
            inWrite = 0;
            inEnd = in.capacity();
            return;
        }
        int staged = inWrite - inRead;
        if (inEnd < wanted) {
            move(wanted);
        } else if (inRead > 0 && (inEnd - inWrite < MIN_READ_ROOM || inEnd - inRead < need)) {
            in.put(0, in, inRead, staged); // overlapping: put copies as if through a temporary
            inRead = 0;
            inWrite = staged;
        }
    }

    /**
     * End of a pump call: an empty block goes back to the pool; a mostly empty one (a partial
     * record at the end of a burst, or a stalled peer) is swapped for a small one its bytes fit
     * in, so a thousand stalled handshakes hold only a little each.
     */
    private void trimStaging() {
        if (in == null) {
            return;
        }
        int staged = inWrite - inRead;
        if (staged == 0) {
            blocks.give(in);
            in = null;
        } else if (staged <= inEnd / 8 && inEnd > SMALL_BLOCK) {
            move(staged);
        }
    }

    private void move(int size) {
        int staged = inWrite - inRead;
        ByteBuffer block = blocks.take(size);
        block.put(0, in, inRead, staged);
        blocks.give(in);
        in = block;
        inRead = 0;
        inWrite = staged;
        inEnd = block.capacity();
    }

    /**
     * True while a ciphertext staging block is held (inbound or outbound). Exact on the input
     * pump's thread for the inbound side; the outbound side is read racily (tests, metrics).
     */
    public boolean holdsStaging() {
        return in != null || out != null;
    }

    // ---------------------------------------------------------------- output (flusher)

    /**
     * Flusher (the output buffer's reader): wraps the readable bytes of {@code output} into
     * records (views of its nodes, no copy) and writes them. Returns {@link #FLUSHED} when all of
     * it (and any staged ciphertext) went out, {@link #BLOCKED} when the sink is full (call again
     * when writable; wrapping runs at most 64 KiB ahead of the socket), {@link #HANDSHAKING}
     * before the handshake is done (nothing is touched). {@code output} may be null to send only
     * what is staged. Wrapped bytes are taken from {@code output} and released.
     *
     * @throws SSLException after {@link #closeOutbound()} or on an engine failure
     * @throws IOException  the sink failed
     */
    public int flush(LinkBuffer output) throws IOException {
        checkFailure();
        if (!handshakeDone) {
            return HANDSHAKING;
        }
        lockOut();
        try {
            for (int i = 0; i < MAX_STEPS; i++) {
                serveWrapRequest();
                if (!drainCipher()) {
                    return BLOCKED;
                }
                if (output == null || output.len() == 0) {
                    return FLUSHED;
                }
                if (closeSent) {
                    throw new SSLException("TLS output closed (close_notify sent)");
                }
                if (BUFFERS.drainTo(output, wrapper) == 0 && outWrite == outRead) {
                    throw new SSLException("TLS engine wrapped nothing (" + engine.getHandshakeStatus() + ")");
                }
            }
            throw new SSLException("TLS flush made no progress in " + MAX_STEPS + " steps");
        } finally {
            unlockOut();
        }
    }

    /**
     * Any thread: writes staged ciphertext (after {@link Host#writePending()}). Returns true when
     * nothing is left (or another thread holds the outbound side and will send it).
     */
    public boolean flushPending() throws IOException {
        checkFailure();
        if (!tryLockOut()) {
            return true;
        }
        try {
            serveWrapRequest();
            return drainCipher();
        } finally {
            unlockOut();
        }
    }

    /**
     * Any thread: sends {@code close_notify} (once), best effort: whatever the socket takes now.
     * Returns true when it all went out. Never throws; later flushes fail.
     */
    public boolean closeOutbound() {
        lockOut();
        try {
            if (!closeSent) {
                closeSent = true;
                engine.closeOutbound();
                wrapNonApplication();
            }
            return drainCipher();
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            unlockOut();
        }
    }

    /** True once {@code close_notify} was received. */
    public boolean isInboundDone() {
        return engine.isInboundDone();
    }

    /**
     * Gives every buffer back. Call once, when neither the pump nor a flusher can run (the
     * connection's end). Does not send anything.
     */
    public void free() {
        if (in != null) {
            blocks.give(in);
            in = null;
        }
        if (out != null) {
            blocks.give(out);
            out = null;
            outRead = 0;
            outWrite = 0;
        }
        if (!closeSent) {
            closeSent = true;
            engine.closeOutbound();
        }
        TlsConfig r = releaseTo;
        if (r != null) {
            releaseTo = null; // once: a native engine's memory is freed here
            r.releaseEngine(engine);
        }
    }

    /**
     * One record per engine call, from views of the output's nodes (LinkBuffer.drainTo's gather).
     * The JDK's engine gathers the views into one record; native engines (direct staging) write a
     * record per view, so there the views of a record are first copied into one direct block, as
     * Netty's {@code SslHandler} coalesces its writes: a 16 KiB echo whose plaintext spans two
     * nodes is one record, not two (fewer records for the peer to decrypt, and fewer bytes).
     */
    private final class WrapChannel implements GatheringByteChannel {
        private final ByteBuffer[] single = new ByteBuffer[1];

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long remaining = 0;
            for (int i = offset; i < offset + length; i++) {
                remaining += srcs[i].remaining();
            }
            long consumed = 0;
            for (int i = 0; i < MAX_STEPS && outRoom(false); i++) {
                SSLEngineResult r = coalesce && spansViews(srcs, offset, length)
                        ? wrapCoalesced(srcs, offset, length)
                        : wrapInto(srcs, offset, length);
                consumed += r.bytesConsumed();
                remaining -= r.bytesConsumed();
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    break;
                }
                HandshakeStatus hs = r.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    runTasksHere();
                } else if (remaining == 0 && hs != HandshakeStatus.NEED_WRAP) {
                    break;
                } else if (r.bytesConsumed() == 0
                        && r.bytesProduced() == 0
                        && r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    break; // the engine will not take data now: the caller sees no progress
                }
            }
            return consumed;
        }

        /** Copies the next record's plaintext into one direct block, wraps it, and moves the views on. */
        private SSLEngineResult wrapCoalesced(ByteBuffer[] srcs, int offset, int length) throws SSLException {
            ByteBuffer block = CipherBlocks.sharedDirect().take(RECORD_PLAINTEXT);
            try {
                int n = 0;
                for (int i = offset; i < offset + length && n < RECORD_PLAINTEXT; i++) {
                    ByteBuffer src = srcs[i];
                    int k = Math.min(src.remaining(), RECORD_PLAINTEXT - n);
                    block.put(n, src, src.position(), k);
                    n += k;
                }
                block.limit(n);
                single[0] = block;
                SSLEngineResult r = wrapInto(single, 0, 1);
                skip(srcs, offset, length, r.bytesConsumed());
                return r;
            } finally {
                single[0] = null;
                CipherBlocks.sharedDirect().give(block);
            }
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return (int) write(new ByteBuffer[] {src}, 0, 1);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    /** True when the next record's plaintext is in more than one view (the first one holds less than a record). */
    private static boolean spansViews(ByteBuffer[] srcs, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end && !srcs[i].hasRemaining()) {
            i++;
        }
        if (i >= end - 1 || srcs[i].remaining() >= RECORD_PLAINTEXT) {
            return false;
        }
        for (int j = i + 1; j < end; j++) {
            if (srcs[j].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /** Moves the views' positions past {@code n} bytes, in order. */
    private static void skip(ByteBuffer[] srcs, int offset, int length, int n) {
        for (int i = offset; i < offset + length && n > 0; i++) {
            ByteBuffer src = srcs[i];
            int k = Math.min(src.remaining(), n);
            src.position(src.position() + k);
            n -= k;
        }
    }

    /** Outbound held: one engine wrap into a fresh ciphertext slot, kept and published. */
    private SSLEngineResult wrapInto(ByteBuffer[] srcs, int offset, int length) throws SSLException {
        outRoom(true);
        out.limit(out.capacity()).position(outWrite);
        SSLEngineResult r;
        try {
            r = engine.wrap(srcs, offset, length, out);
        } finally {
            outWrite = out.position();
        }
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            packetSize = Math.max(packetSize + 1, engine.getSession().getPacketBufferSize());
        }
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            finished();
        }
        return r;
    }

    /** Outbound held, handshake: one wrap of handshake data; null when the engine closed instead. */
    private SSLEngineResult wrapHandshake() throws IOException {
        SSLEngineResult r = wrapInto(NO_DATA, 0, 1);
        if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0) {
            return null;
        }
        return r;
    }

    /** Outbound held: wraps what the engine has to say (a reply, an alert, close_notify). */
    private void wrapNonApplication() throws IOException {
        for (int i = 0; i < 16; i++) {
            SSLEngineResult r = wrapInto(NO_DATA, 0, 1);
            HandshakeStatus hs = r.getHandshakeStatus();
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                continue;
            }
            if (hs == HandshakeStatus.NEED_TASK) {
                runTasksHere();
                continue;
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED || hs != HandshakeStatus.NEED_WRAP) {
                return;
            }
        }
    }

    /** Outbound held: writes staged ciphertext; true when none is left. */
    private boolean drainCipher() throws IOException {
        while (outWrite > outRead) {
            int n = scratch == null ? writeStaged() : writeThroughScratch();
            if (n == 0) {
                return false;
            }
        }
        if (out != null) {
            blocks.give(out);
            out = null;
            outRead = 0;
            outWrite = 0;
        }
        return true;
    }

    private int writeStaged() throws IOException {
        out.limit(outWrite).position(outRead);
        int n = sink.write(out);
        outRead = out.position();
        return n;
    }

    private int writeThroughScratch() throws IOException {
        int len = Math.min(outWrite - outRead, CipherBlocks.MAX_BLOCK);
        ByteBuffer s = scratch.take(len);
        try {
            out.limit(outWrite);
            s.put(0, out, outRead, len).limit(len);
            int n = sink.write(s);
            outRead += n;
            return n;
        } finally {
            scratch.give(s);
        }
    }

    /**
     * Outbound held: whether the ciphertext block has room for one more record, taking a block
     * or compacting when needed. With {@code force} (a reply that must be staged even though the
     * socket is full), grows the block instead of saying no.
     */
    private boolean outRoom(boolean force) {
        if (out == null) {
            out = blocks.take(Math.max(WRITE_BLOCK, packetSize));
            outRead = 0;
            outWrite = 0;
        }
        if (out.capacity() - outWrite >= packetSize) {
            return true;
        }
        int pending = outWrite - outRead;
        if (outRead > 0 && out.capacity() - pending >= packetSize) {
            out.put(0, out, outRead, pending);
            outRead = 0;
            outWrite = pending;
            return true;
        }
        if (!force) {
            return false;
        }
        ByteBuffer bigger = blocks.take(pending + packetSize);
        bigger.put(0, out, outRead, pending);
        blocks.give(out);
        out = bigger;
        outRead = 0;
        outWrite = pending;
        return true;
    }

    /** Outbound held: the pump's request for a reply. */
    private void serveWrapRequest() throws IOException {
        if (wrapRequested) {
            wrapRequested = false;
            wrapNonApplication();
        }
    }

    /** Input pump: the engine has a reply to send; whoever holds the outbound side sends it. */
    private void requestWrap() throws IOException {
        wrapRequested = true;
        if (tryLockOut()) {
            try {
                serveWrapRequest();
                if (!drainCipher()) {
                    host.writePending();
                }
            } finally {
                unlockOut();
            }
        }
    }

    /**
     * Post-handshake tasks met while wrapping (rare: the pump normally runs them): run here, on
     * the flusher, which is not the poller.
     */
    private void runTasksHere() {
        Runnable t;
        while ((t = engine.getDelegatedTask()) != null) {
            t.run();
        }
    }

    private void startTasks() throws SSLException {
        tasksRunning = true;
        try {
            taskExecutor.execute(this::runTasks);
        } catch (RejectedExecutionException e) {
            tasksRunning = false;
            throw new SSLException("the TLS task executor refused the handshake's tasks", e);
        }
    }

    private void runTasks() {
        try {
            Runnable t;
            while ((t = engine.getDelegatedTask()) != null) {
                t.run(); // the engine keeps a task's failure and throws it from the next wrap/unwrap
            }
        } catch (RuntimeException e) {
            asyncFailure = new SSLException("TLS handshake task failed: " + e.getMessage(), e);
        } finally {
            tasksRunning = false;
            host.tasksDone();
        }
    }

    /** Idempotent: the JDK reports TLS 1.3's FINISHED twice. */
    private void finished() {
        if (engineFinished) {
            return;
        }
        engineFinished = true;
        SSLSession s = engine.getSession();
        tls13 = "TLSv1.3".equals(s.getProtocol());
        List<Certificate> peer;
        try {
            peer = Arrays.asList(s.getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            peer = List.of();
        }
        Certificate[] local = s.getLocalCertificates();
        String alpn = engine.getApplicationProtocol();
        info = new TlsSessionInfo(
                s.getProtocol(),
                s.getCipherSuite(),
                peer,
                local == null ? List.of() : Arrays.asList(local),
                alpn == null || alpn.isEmpty() ? null : alpn,
                serverName(s));
    }

    private String serverName(SSLSession s) {
        List<SNIServerName> names = client
                ? engine.getSSLParameters().getServerNames()
                : s instanceof ExtendedSSLSession ? ((ExtendedSSLSession) s).getRequestedServerNames() : null;
        if (names != null) {
            for (SNIServerName n : names) {
                if (n instanceof SNIHostName) {
                    return ((SNIHostName) n).getAsciiName();
                }
            }
        }
        return null;
    }

    private void checkFailure() throws IOException {
        IOException f = asyncFailure;
        if (f != null) {
            throw f;
        }
    }

    // ---------------------------------------------------------------- outbound flag

    private boolean tryLockOut() {
        return OUT_LOCK.compareAndSet(this, 0, 1);
    }

    /** Held only for wraps and non-blocking writes, so a short spin is enough. */
    private void lockOut() {
        int spins = 0;
        while (!tryLockOut()) {
            if (++spins < 128) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Lets go, then serves a request that arrived meanwhile (the requester saw the flag held). */
    private void unlockOut() {
        for (; ; ) {
            OUT_LOCK.setVolatile(this, 0);
            if (!wrapRequested || !tryLockOut()) {
                return;
            }
            try {
                serveWrapRequest();
                if (!drainCipher()) {
                    host.writePending();
                }
            } catch (IOException e) {
                asyncFailure = e;
                host.writePending();
            }
        }
    }
}
