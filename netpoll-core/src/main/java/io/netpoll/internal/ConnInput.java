package io.netpoll.internal;

import io.netpoll.buffer.BufferBudgetExceededException;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.internal.LinkBufferAccess;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectionKey;

/**
 * A connection's input pump: reads from the socket into the input buffer (adaptive read size, a
 * read budget per poller turn), publishes what arrived, pauses reading at the input limit and
 * resumes it when the reader consumes, and notices EOF.
 *
 * <p>Threading: {@link #onReadable} and the resume task run on the thread holding the poller's
 * role (the input buffer's only writer); {@link #maybeResumeRead} from any thread. {@code eof}
 * and {@code readPaused} are read by the dispatch loop and blocking readers.
 */
final class ConnInput {
    static final int MIN_READ = 1024;
    // Small first reads, into nodes of the read's size: a burst of new connections holds one input
    // node each until their handlers run, and the pool keeps what a burst took. Reads (and their
    // nodes) double for connections that fill them.
    private static final int INITIAL_READ = MIN_READ;
    private static final int MAX_READ = 64 * 1024;
    /** Bytes read per connection per poller turn, so one streaming peer cannot starve the others. */
    private static final int READ_BUDGET = 256 * 1024;

    private static final VarHandle RESUME_QUEUED;
    /** fillFrom, which is not LinkBuffer's public API. */
    private static final LinkBufferAccess.Transport BUFFERS = LinkBufferAccess.transport();

    static {
        try {
            RESUME_QUEUED = MethodHandles.lookup().findVarHandle(ConnInput.class, "resumeQueued", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NioConnection c;
    private final LinkBuffer input;
    private final int maxInput;
    private final Runnable resumeRead = this::resumeReadOnPoller;
    /** Buffer budget: the pool calls it when memory is back after a refused read. */
    private final Runnable memoryAvailable = () -> maybeResumeRead(true);

    // Poller only.
    private int readSize = INITIAL_READ;
    /** Bytes read from the socket (ConnectionInfo); written by the poller only, read racily. */
    long received;
    /**
     * When bytes last arrived, on the poller's turn clock (idle timeout, ConnectionInfo): written
     * by the poller only, read racily (no clock read, no fence per read).
     */
    long lastReadNanos;

    volatile boolean eof;
    /** Reading stopped because the unread input reached maxInput (set by the poller, cleared by it too). */
    volatile boolean readPaused;

    private volatile int resumeQueued;

    ConnInput(NioConnection c, LinkBuffer input, int maxInput) {
        this.c = c;
        this.input = input;
        this.maxInput = maxInput;
        this.lastReadNanos = c.createdNanos();
    }

    /** Poller: the socket is readable. */
    void onReadable() {
        if (c.isClosedFlag()) {
            return;
        }
        if (c.tls != null) {
            onReadableTls();
            return;
        }
        int total = 0;
        for (; ; ) {
            int n;
            try {
                n = BUFFERS.fillFrom(input, c.channel, readSize);
            } catch (BufferBudgetExceededException e) {
                pauseForMemory(e); // buffer memory budget: stop reading until memory is back
                break;
            } catch (IOException e) {
                if (total > 0) {
                    published(total);
                }
                c.closeWith(CloseReason.RESET, e);
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
        pauseIfFull();
    }

    /**
     * Poller, after the TLS handshake: the session reads ciphertext up to the budget and unwraps
     * every complete record straight into the input; the rest (publish, backpressure) is as for
     * plaintext, which is all the handlers see.
     */
    private void onReadableTls() {
        int n;
        try {
            n = c.tls.read(READ_BUDGET);
        } catch (BufferBudgetExceededException e) {
            pauseForMemory(e);
            return;
        } catch (io.netpoll.tls.TlsTruncationException e) {
            // Everything before the truncation was delivered: end the input as a peer close, counted.
            c.counters.tls.failed(io.netpoll.tls.TlsFailure.TRUNCATION, false);
            onEof();
            return;
        } catch (javax.net.ssl.SSLException e) {
            c.tlsFailed(e, false);
            return;
        } catch (IOException e) {
            c.closeWith(CloseReason.RESET, e);
            return;
        }
        if (n < 0) {
            onEof(); // close_notify
            return;
        }
        if (n > 0) {
            published(n);
        }
        if (c.tls.tasksRunning()) {
            // A post-handshake message needs a delegated task: read again when it is done.
            c.setInterestOnPoller(SelectionKey.OP_READ, false);
            return;
        }
        pauseIfFull();
    }

    /** Poller, after a read: stops reading at the input limit (backpressure). */
    private void pauseIfFull() {
        if (input.len() >= maxInput && c.readWaiter == null && !eof && c.isRegisteredOnPoller()) {
            // Backpressure: nobody consumes, so stop reading; the peer's writes block in its kernel.
            readPaused = true;
            c.setInterestOnPoller(SelectionKey.OP_READ, false);
            // The reader may have consumed between our check and the flag: it then saw no pause.
            if (input.len() < maxInput || c.readWaiter != null) {
                resumeReadOnPoller();
            } else {
                // A handler that returned before the pause must look again: it either makes
                // progress (and reading resumes) or is stuck at the limit (and the connection closes).
                c.redispatchOnPoller();
            }
        }
    }

    /** Poller: the pool refused memory for a read; stop reading until it says memory is back. */
    private void pauseForMemory(BufferBudgetExceededException refusal) {
        if (c.isClosedFlag() || eof || !c.isRegisteredOnPoller()) {
            return;
        }
        readPaused = true;
        c.setInterestOnPoller(SelectionKey.OP_READ, false);
        refusal.onMemoryAvailable(memoryAvailable);
        // The reader may have consumed between the refusal and the flag: it then saw no pause.
        if (input.len() < refusal.heldBytes()) {
            resumeReadOnPoller();
        }
    }

    /** Any thread: the reader consumed or wants more; let the poller read again if it paused. */
    void maybeResumeRead(boolean force) {
        if (readPaused && (force || input.len() < maxInput) && RESUME_QUEUED.compareAndSet(this, 0, 1)) {
            if (!c.poller.run(resumeRead)) {
                resumeQueued = 0;
            }
        }
    }

    private void resumeReadOnPoller() {
        resumeQueued = 0;
        if (readPaused && !eof && c.isRegisteredOnPoller()) {
            readPaused = false;
            if (!c.outputPaused()) {
                c.setInterestOnPoller(SelectionKey.OP_READ, true);
            }
        }
    }

    private void published(int n) {
        c.counters.bytesIn.add(n);
        received += n;
        lastReadNanos = c.poller.turnNanos();
        // Dekker with a blocking reader (NioConnection.awaitSlow): the bytes were published by a
        // release store, which alone may be reordered after the load of readWaiter (a reader that
        // registered could then miss both the bytes and the unpark). The epoch bump is a volatile
        // store before that load; the reader reads epoch after storing readWaiter. So either we
        // see the waiter or it sees the bytes, by the memory model, at no extra cost.
        c.redispatchOnPoller();
        c.wakeReader();
    }

    private void onEof() {
        eof = true;
        // Level-triggered: a socket at EOF stays readable, so stop asking.
        c.dropReadInterestAtEof();
        Thread w = c.wakeReader();
        if (c.hasHandler()) {
            c.redispatchOnPoller();
        } else {
            c.bumpEpoch();
            if (w == null && input.len() == 0 && c.closesAtEof()) { // half-closure: open until our FIN is out
                c.closeWith(CloseReason.PEER, null);
            }
        }
    }
}
