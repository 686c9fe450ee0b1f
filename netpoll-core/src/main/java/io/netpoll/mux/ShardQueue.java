package io.netpoll.mux;

import io.netpoll.Connection;
import io.netpoll.ConnectionClosedException;
import io.netpoll.WriteAction;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Writer;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets many threads send whole messages on one connection without queueing up behind each other
 * (netpoll's {@code mux.ShardQueue}; one lock-free queue is enough here, so there are no shards).
 *
 * <p>Each sender fills a {@link LinkBuffer} of its own (no lock), then {@link #add adds} it: the
 * buffer goes into a lock-free multi-producer queue, and the sender tries to become the
 * <em>flusher</em> with one compare-and-set. The winner appends every queued buffer to the
 * connection's output (node references move, bytes are not copied) and sends them all with one
 * gathering write, again and again until the queue is empty; the others return at once, their
 * messages sent by the flusher. Compared with {@link Connection#send}, where each sender takes
 * the connection's lock and writes its own message (a convoy when the socket is busy), writers
 * here never wait for each other, and concurrent messages are batched into fewer system calls.
 *
 * <h2>When to use which</h2>
 * One writing thread (a handler answering its requests): the connection's writer, or
 * {@code send}. Several threads writing now and then: {@code send} (simplest; a sender gets the
 * flush's error itself). Many threads writing at once to one connection (a multiplexed client
 * connection shared by request threads, a server pushing to a connection from several producers):
 * this queue.
 *
 * <h2>Ownership and errors</h2>
 * {@link #add(LinkBuffer)} takes ownership of the buffer, whatever happens (on error it is
 * closed). A message is on its way when {@code add} returns, not necessarily sent: the flusher
 * (perhaps another thread) reports a failed write, which closes the connection; so a sender
 * learns of it as the connection closing (a reply that never comes, a close callback), or
 * through {@link #add} throwing {@link ConnectionClosedException} once the connection is closed,
 * when it was the flusher. Messages still queued when the connection closes are freed.
 * Unsent bytes are bounded (backpressure): an {@code add} that finds more than
 * {@code maxQueuedBytes} queued behind its message waits until the flusher has sent them (or
 * flushes itself), so producers faster than the socket or the peer slow down instead of filling
 * the heap; a peer that does not read at all ends the wait through the connection's write
 * timeout, which closes the connection. Memory is then bounded by {@code maxQueuedBytes} plus
 * one message per sending thread. The bound counts message bytes: a queued {@code LinkBuffer}
 * also holds the rest of its last memory node, so fill small messages into buffers with a small
 * node size ({@code new LinkBuffer(pool, 256)}, as {@link #send} does), not the 4 KiB default.
 *
 * <p>The flusher copies messages of up to 1 KiB into the connection's output (contiguous: one
 * vector of the gathering write for many messages) and moves larger ones without copying.
 *
 * <h2>Threading</h2>
 * Thread-safe. Every thread writing to the connection must go through this queue or through
 * {@link Connection#send} (the flusher writes under {@code send}'s lock, so the two mix safely).
 * The flush runs on a sender's thread and may block until the socket takes the bytes (bounded by
 * the connection's write timeout), so do not add from an inline handler on the poller.
 */
public final class ShardQueue {
    private static final VarHandle FLUSHING;

    static {
        try {
            FLUSHING = MethodHandles.lookup().findVarHandle(ShardQueue.class, "flushing", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final WriteAction NOTHING = w -> {};
    /** Messages up to this size are copied into the output by the flusher; larger ones move their nodes. */
    private static final int COPY_MAX = 1024;
    /** Node size of the buffers {@link #send} fills: a small message holds a small node while queued. */
    private static final int SEND_NODE_SIZE = 256;

    /** Default bound of queued, unsent bytes. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 64L << 20;

    private final Connection connection;
    private final long maxQueuedBytes;
    private final ConcurrentLinkedQueue<LinkBuffer> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** 1 while a thread is the flusher. */
    @SuppressWarnings("unused")
    private volatile int flushing;
    /** Appends everything queued; one instance, so a flush allocates no lambda. */
    private final WriteAction appendQueued = this::appendQueued;

    public ShardQueue(Connection connection) {
        this(connection, DEFAULT_MAX_QUEUED_BYTES);
    }

    public ShardQueue(Connection connection, long maxQueuedBytes) {
        if (maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("maxQueuedBytes must be positive: " + maxQueuedBytes);
        }
        this.connection = connection;
        this.maxQueuedBytes = maxQueuedBytes;
        // Frees what is queued when the connection closes with nobody left to flush it.
        connection.addCloseCallback(c -> discardIfNoFlusher());
    }

    /**
     * Queues {@code message} (all its readable bytes, flushed or not) and returns at once, or,
     * if no other thread is flushing, flushes the queue from this thread first.
     *
     * @throws ConnectionClosedException when the connection is closed (this message is freed)
     * @throws IOException when this thread flushed and the write failed (write timeout, which
     *         closes the connection)
     */
    public void add(LinkBuffer message) throws IOException {
        if (!connection.isActive()) {
            message.close();
            throw new ConnectionClosedException("connection closed");
        }
        message.flush(); // its written bytes become readable: they are what gets appended
        int len = message.len();
        long queued = queuedBytes.addAndGet(len);
        queue.offer(message);
        if (queued > maxQueuedBytes && queued > len) { // one large message alone is the connection's business
            awaitBelowLimit();
        }
        drain();
    }

    /**
     * Fills a new buffer with {@code action} and {@link #add adds} it: the convenient form of
     * {@code connection.send(action)} for many threads (the buffer's memory comes from
     * {@link BufferPool#defaultPool()}; the {@code LinkBuffer} object itself is
     * allocated per message). To use another pool, {@link #add} a {@code new LinkBuffer(pool)}.
     */
    public void send(WriteAction action) throws IOException {
        LinkBuffer message = new LinkBuffer(BufferPool.defaultPool(), SEND_NODE_SIZE);
        try {
            action.write(message);
        } catch (IOException | RuntimeException | Error e) {
            message.close();
            throw e;
        }
        add(message);
    }

    /** Bytes queued and not yet handed to the socket. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /**
     * Backpressure: producers faster than the socket wait here while too much is queued. Either
     * this thread becomes the flusher, or it waits for the running flush on the connection's send
     * lock (a flush ends with the bytes sent, or with the write timeout closing the connection).
     */
    private void awaitBelowLimit() throws IOException {
        while (queuedBytes.get() > maxQueuedBytes) {
            if (!connection.isActive()) {
                discardIfNoFlusher();
                throw new ConnectionClosedException("connection closed");
            }
            drain();
            if (queuedBytes.get() > maxQueuedBytes) {
                connection.send(NOTHING);
            }
        }
    }

    /** Flushes until the queue is empty, unless another thread is the flusher. */
    private void drain() throws IOException {
        while (!queue.isEmpty()) {
            if (!FLUSHING.compareAndSet(this, 0, 1)) {
                return; // the flusher will see our message: it re-checks the queue after letting go
            }
            try {
                if (connection.isActive()) {
                    connection.send(appendQueued);
                } else {
                    discardQueued();
                    throw new ConnectionClosedException("connection closed");
                }
            } catch (IOException | RuntimeException e) {
                // Also a writer that refused because the connection closed under us (ConnectionClosedException).
                discardQueued();
                throw e;
            } finally {
                FLUSHING.setVolatile(this, 0); // a volatile store: the queue re-check after it must not move before it
            }
        }
    }

    private void appendQueued(Writer writer) throws IOException {
        LinkBuffer m;
        while ((m = queue.poll()) != null) {
            int len = m.len();
            queuedBytes.addAndGet(-len);
            if (len <= COPY_MAX) {
                // Small messages are copied next to each other: one node and one iovec for many
                // messages, instead of a node per message in the gathering write.
                try {
                    writer.writeBinary(m.next(len));
                } finally {
                    m.close();
                }
            } else {
                writer.append(m); // moves the nodes; on a closed connection it closes m and throws
            }
        }
    }

    /** On close: frees what is queued, unless a flusher is running (it frees it when its write fails). */
    private void discardIfNoFlusher() {
        while (!queue.isEmpty() && FLUSHING.compareAndSet(this, 0, 1)) {
            try {
                discardQueued();
            } finally {
                FLUSHING.setVolatile(this, 0); // a volatile store: the queue re-check after it must not move before it
            }
        }
    }

    private void discardQueued() {
        LinkBuffer m;
        while ((m = queue.poll()) != null) {
            queuedBytes.addAndGet(-m.len());
            m.close();
        }
    }
}
