package io.netpoll.buffer;

import io.netpoll.buffer.internal.LinkBufferAccess;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * netpoll's LinkBuffer: a chain of pooled, reference-counted memory nodes with a zero-copy
 * {@link Reader} and {@link Writer} ({@code netpoll.NewLinkBuffer}).
 *
 * <h2>Layout</h2>
 * <pre>
 *  head          read                        flush               write
 *   |             |                            |                   |
 *   v             v                            v                   v
 * [taken] -> [taken|readable] -> [readable] -> [readable|unflushed] -> [unflushed|free]
 *
 *   released at        len() bytes: flushed, not yet taken      mallocLen() bytes: written,
 *   release()                                                   visible only after flush()
 * </pre>
 * Invariants, at every moment a thread can observe:
 * <ul>
 *   <li>bytes are readable in the order they were written; {@code 0 <= len()} and
 *       {@code len()} counts exactly the flushed bytes not yet taken;</li>
 *   <li>{@code head}, {@code read} and {@code scratch} belong to the reader thread; {@code write},
 *       {@code mallocLen()} and every node after {@code flush} belong to the writer thread;</li>
 *   <li>nodes before {@code flush} never change again except for the reader's offset; the writer
 *       publishes new bytes by moving {@code flush} and then raising its {@code flushed} count
 *       (a release store); the reader counts what it takes in {@code taken}; {@code len()} is
 *       {@code flushed - taken}, each counter written by one thread only, so a reader that sees
 *       the count sees the bytes and neither side needs an atomic read-modify-write;</li>
 *   <li>a node's memory is reused only when no chain refers to it (reference counts), so views
 *       stay intact until the release that invalidates them;</li>
 *   <li>an empty buffer (all bytes taken and released, nothing written) holds no node: the reader
 *       frees the last node at {@link #release()}, under a compare-and-set that excludes a
 *       writer between {@code malloc} and {@code flush}.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * One reader thread and one writer thread may use a buffer at the same time, without locks.
 * Reader methods ({@link Reader}, and the transport's {@code drainTo}) must not be called by two
 * threads at once, nor writer methods ({@link Writer}, the transport's {@code fillFrom}). {@link #slice} creates a buffer owned
 * by the caller; {@link #append} consumes a buffer that nobody else uses; {@link #close()} must
 * not race with either side.
 *
 * <h2>Memory</h2>
 * Nodes come from a {@link BufferPool} (direct memory) and go back when released; a buffer that
 * is dropped without {@link #close()} leaks its nodes from the pool's point of view (the pool's
 * {@code outstandingNodes} counts them) until the garbage collector frees them.
 *
 * <h2>Errors</h2>
 * Negative sizes: {@link IllegalArgumentException}. Reading more than {@link #len()}:
 * {@link IndexOutOfBoundsException} (a standalone buffer never waits). {@code mallocAck} or
 * {@code writeDirect} beyond {@link #mallocLen()}: {@link IllegalArgumentException}. Any use after
 * {@link #close()}: {@link IllegalStateException}. A buffer holds at most
 * {@link Integer#MAX_VALUE} readable bytes. Any call that needs new memory at the pool's budget:
 * {@link BufferBudgetExceededException} (nothing written or read by that call).
 */
public final class LinkBuffer implements Reader, Writer, AutoCloseable {

    /** Size of the nodes the writer takes for small writes; netpoll's {@code LinkBufferCap}. */
    public static final int DEFAULT_NODE_SIZE = 4096;

    private static final int WRITING = 1;
    private static final int TRIMMING = 2;
    private static final int MAX_GATHER = 64;
    /** What zero-byte reads and mallocs return; zero capacity, so nothing can change it. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    private static final VarHandle FLUSHED;
    private static final VarHandle TAKEN;
    private static final VarHandle STATE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FLUSHED = lookup.findVarHandle(LinkBuffer.class, "flushed", long.class);
            TAKEN = lookup.findVarHandle(LinkBuffer.class, "taken", long.class);
            STATE = lookup.findVarHandle(LinkBuffer.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        // The transport's way in to fillFrom/drainTo, which are not public API.
        LinkBufferAccess.install(new LinkBufferAccess.Transport() {
            @Override
            public int fillFrom(LinkBuffer buffer, ReadableByteChannel channel, int sizeHint) throws IOException {
                return buffer.fillFrom(channel, sizeHint);
            }

            @Override
            public long drainTo(LinkBuffer buffer, GatheringByteChannel channel) throws IOException {
                return buffer.drainTo(channel);
            }
        });
    }

    private final BufferPool pool;
    private final int nodeSize;

    // Reader side.
    private Node head;
    private Node read;
    private Node scratch;
    private long readEpoch = 1;
    private ByteBuffer[] gather;
    private boolean closed;

    // Writer side.
    private Node write;
    /** First node of a chain started by the writer while the buffer held none. */
    private Node first;

    private int mallocSize;
    private long writeEpoch = 1;
    private boolean pinned;

    // Shared.
    private volatile Node flush;
    // The readable length is flushed - taken: each counter has one writing thread, so neither
    // side needs an atomic read-modify-write per message.
    @SuppressWarnings("unused") // accessed through FLUSHED; written by the writer only
    private volatile long flushed;

    @SuppressWarnings("unused") // accessed through TAKEN; written by the reader only
    private volatile long taken;

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /** A buffer on the {@linkplain BufferPool#defaultPool() default pool}. */
    public LinkBuffer() {
        this(BufferPool.defaultPool());
    }

    public LinkBuffer(BufferPool pool) {
        this(pool, DEFAULT_NODE_SIZE);
    }

    /**
     * @param nodeSize size of the nodes taken for small writes (larger writes take larger nodes),
     *                 between {@value BufferPool#MIN_NODE_SIZE} and {@value BufferPool#MAX_NODE_SIZE}
     */
    public LinkBuffer(BufferPool pool, int nodeSize) {
        this.pool = Objects.requireNonNull(pool, "pool");
        if (nodeSize < BufferPool.MIN_NODE_SIZE || nodeSize > BufferPool.MAX_NODE_SIZE) {
            throw new IllegalArgumentException("nodeSize must be between " + BufferPool.MIN_NODE_SIZE + " and "
                    + BufferPool.MAX_NODE_SIZE + ": " + nodeSize);
        }
        this.nodeSize = nodeSize;
    }

    public BufferPool pool() {
        return pool;
    }

    // ---------------------------------------------------------------- reader

    @Override
    public int len() {
        // Acquire on flushed: a reader that sees the bytes counted sees the bytes themselves.
        return (int) ((long) FLUSHED.getAcquire(this) - (long) TAKEN.getOpaque(this));
    }

    @Override
    public ByteBuffer next(int n) {
        checkReadable("next", n);
        if (n == 0) {
            return EMPTY;
        }
        advanceTaken(n);
        Node node = readNode();
        if (node.readable() >= n) {
            int from = node.off;
            node.off = from + n;
            return node.readView(from, from + n, readEpoch);
        }
        return copyOut(node, n, true);
    }

    @Override
    public ByteBuffer peek(int n) {
        checkReadable("peek", n);
        if (n == 0) {
            return EMPTY;
        }
        Node node = readNode();
        if (node.readable() >= n) {
            return node.readView(node.off, node.off + n, readEpoch);
        }
        return copyOut(node, n, false);
    }

    @Override
    public void skip(int n) {
        checkReadable("skip", n);
        if (n > 0) {
            advanceTaken(n);
            take(n);
        }
    }

    @Override
    public int indexOf(byte delim) {
        checkOpen();
        int len = len();
        if (len == 0) {
            return -1;
        }
        Node node = readNode();
        int seen = 0;
        while (true) {
            int k = Math.min(node.readable(), len - seen);
            int at = indexOf(node.memory, node.off, node.off + k, delim);
            if (at >= 0) {
                return seen + at - node.off;
            }
            seen += k;
            if (seen >= len) {
                return -1;
            }
            node = node.next;
        }
    }

    @Override
    public ByteBuffer until(byte delim) {
        int at = indexOf(delim);
        if (at < 0) {
            throw new IndexOutOfBoundsException(
                    String.format("until(0x%02x): delimiter not found in the %d readable bytes", delim & 0xff, len()));
        }
        return next(at + 1);
    }

    @Override
    public byte readByte() {
        checkReadable("readByte", 1);
        advanceTaken(1);
        Node node = readNode();
        return node.memory.get(node.off++);
    }

    @Override
    public byte[] readBinary(int n) {
        return readBinary("readBinary", n);
    }

    private byte[] readBinary(String op, int n) {
        checkReadable(op, n);
        byte[] out = new byte[n];
        if (n > 0) {
            advanceTaken(n);
            Node node = readNode();
            int copied = 0;
            while (true) {
                int k = Math.min(n - copied, node.readable());
                node.memory.get(node.off, out, copied, k);
                node.off += k;
                copied += k;
                if (copied == n) {
                    break;
                }
                node = node.next;
            }
            read = node;
        }
        return out;
    }

    /** Takes {@code n} bytes as UTF-8 (narrows {@link Reader#readString(int)}: no checked exception). */
    @Override
    public String readString(int n) {
        return readString(n, StandardCharsets.UTF_8);
    }

    @Override
    public String readString(int n, Charset charset) {
        return new String(readBinary("readString", n), charset);
    }

    @Override
    public LinkBuffer slice(int n) {
        checkReadable("slice", n);
        LinkBuffer slice = new LinkBuffer(pool, nodeSize);
        if (n > 0) {
            Node h = cut(n);
            Node t = h;
            while (t.next != null) {
                t = t.next;
            }
            slice.adoptReadable(h, t, n);
        }
        release();
        return slice;
    }

    /**
     * Takes the next {@code n > 0} readable bytes (already checked) out of this buffer as a
     * chain of nodes ending in {@code null}, without copying: the nodes taken whole move, a node
     * taken in part is referenced. Reader side.
     */
    private Node cut(int n) {
        advanceTaken(n);
        Node node = readNode();
        // The exhausted nodes before the cut are dead after the caller's release() anyway;
        // freeing them first makes the cut's first node the head of the chain.
        while (head != node) {
            Node h = head;
            head = h.next;
            free(h);
        }
        Node f = flush;
        Node cutHead = null;
        Node cutTail = null;
        int remaining = n;
        // A node before the flush point is final; one taken whole is dead to this buffer, so it
        // moves with its reference count unchanged. Only a node taken in part, or the flush node
        // that the writer may still fill, is referenced.
        while (remaining > 0 && node != f && node.readable() <= remaining) {
            Node next = node.next;
            remaining -= node.readable();
            node.writable = false;
            if (cutTail == null) {
                cutHead = node;
            } else {
                cutTail.next = node;
            }
            cutTail = node;
            node = next;
        }
        head = node;
        while (remaining > 0) {
            int k = Math.min(remaining, node.readable());
            if (k > 0) {
                Node ref = pool.takeReference(node).bindReference(node, node.off, node.off + k);
                node.off += k;
                if (cutTail == null) {
                    cutHead = ref;
                } else {
                    cutTail.next = ref;
                }
                cutTail = ref;
                remaining -= k;
            }
            if (remaining > 0) {
                node = node.next;
            }
        }
        cutTail.next = null;
        read = node;
        return cutHead;
    }

    @Override
    public void release() {
        if (closed) {
            return;
        }
        Node r = read;
        if (r != null) {
            Node f = flush;
            // Nodes before the flush node are final: an exhausted one will never grow again.
            while (r != f && r.off == r.end) {
                r = r.next;
            }
            read = r;
            while (head != r) {
                Node h = head;
                head = h.next;
                free(h);
            }
        }
        freeScratch();
        readEpoch++;
        if (r != null && len() == 0) {
            tryTrim();
        }
    }

    /**
     * Reader side, for transports: one gathering {@code write} of the readable bytes to
     * {@code channel}; the bytes written are taken and released. Returns the bytes written
     * (0 when the channel accepts nothing now). Not API: the transport reaches it through
     * {@link LinkBufferAccess}.
     */
    long drainTo(GatheringByteChannel channel) throws IOException {
        checkOpen();
        int len = len();
        if (len == 0) {
            return 0;
        }
        ByteBuffer[] views = gather;
        if (views == null) {
            views = gather = new ByteBuffer[MAX_GATHER];
        }
        Node node = readNode();
        int count = 0;
        int gathered = 0;
        while (count < MAX_GATHER) {
            int k = Math.min(node.readable(), len - gathered);
            if (k > 0) {
                views[count++] = node.readView(node.off, node.off + k, readEpoch);
                gathered += k;
            }
            if (gathered == len) {
                break;
            }
            node = node.next;
        }
        // One view on a socket (the usual echo or reply): write(2), not writev(2). The gathering
        // path costs an iovec set-up in the JDK (thread-local wrapper, per-buffer bookkeeping) and
        // an iovec import in the kernel for nothing; Netty makes the same choice.
        long written =
                count == 1 && channel instanceof SocketChannel sc ? sc.write(views[0]) : channel.write(views, 0, count);
        if (written > 0) {
            advanceTaken(written);
            take((int) written);
        }
        release();
        return written;
    }

    // ---------------------------------------------------------------- writer

    @Override
    public int mallocLen() {
        return mallocSize;
    }

    /**
     * Writer side, for transports: how many bytes {@link #malloc} can return now without taking a
     * new node (the free room of the current write node; 0 when there is none). Lets a producer
     * whose output size is only bounded, not known (TLS unwrapping a record), fill the tail node
     * before taking another. Pins the writer as {@code malloc} does: {@link #flush()} afterwards.
     */
    public int mallocAvailable() {
        checkOpen();
        pin();
        Node w = write;
        return w == null ? 0 : w.writableBytes();
    }

    @Override
    public ByteBuffer malloc(int n) {
        checkSize("malloc", n);
        if (n == 0) {
            checkOpen();
            return EMPTY;
        }
        Node w = writableNode(n, n);
        int from = w.malloc;
        w.malloc = from + n;
        mallocSize += n;
        return w.writeView(from, from + n, writeEpoch);
    }

    @Override
    public void mallocAck(int n) {
        checkOpen();
        if (n < 0 || n > mallocSize) {
            throw new IllegalArgumentException(
                    "mallocAck(" + n + "): must be between 0 and mallocLen() = " + mallocSize);
        }
        if (n == mallocSize) {
            return;
        }
        Node x = unflushedStart();
        int keep = n;
        while (true) {
            int pending = x.malloc - x.end;
            if (keep <= pending) {
                x.malloc = x.end + keep;
                break;
            }
            keep -= pending;
            x = x.next;
        }
        freeChain(x.next);
        x.next = null;
        write = x;
        mallocSize = n;
    }

    /** Copies {@code b} in (narrows {@link Writer#writeBinary(byte[])}: no checked exception). */
    @Override
    public void writeBinary(byte[] b) {
        writeBinary(b, 0, b.length);
    }

    /** Copies {@code s} in as UTF-8 (narrows {@link Writer#writeString(String)}: no checked exception). */
    @Override
    public void writeString(String s) {
        writeString(s, StandardCharsets.UTF_8);
    }

    @Override
    public void writeBinary(byte[] b, int off, int len) {
        checkOpen();
        Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            Node w = writableNode(1, len);
            int k = Math.min(len, w.writableBytes());
            w.memory.put(w.malloc, b, off, k);
            w.malloc += k;
            mallocSize += k;
            off += k;
            len -= k;
        }
    }

    @Override
    public void writeBinary(ByteBuffer src) {
        checkOpen();
        int len = src.remaining();
        int pos = src.position();
        while (len > 0) {
            Node w = writableNode(1, len);
            int k = Math.min(len, w.writableBytes());
            w.memory.put(w.malloc, src, pos, k);
            w.malloc += k;
            mallocSize += k;
            pos += k;
            len -= k;
        }
        src.position(pos);
    }

    @Override
    public void writeString(String s, Charset charset) {
        checkOpen();
        boolean singleByteAscii = charset == StandardCharsets.UTF_8
                || charset == StandardCharsets.US_ASCII
                || charset == StandardCharsets.ISO_8859_1;
        int i = 0;
        int len = s.length();
        if (singleByteAscii) {
            // ASCII needs no encoder and no intermediate array.
            while (i < len) {
                Node w = writableNode(1, len - i);
                int end = Math.min(len, i + w.writableBytes());
                int at = w.malloc;
                for (; i < end; i++) {
                    char c = s.charAt(i);
                    if (c >= 0x80) {
                        break;
                    }
                    w.memory.put(at++, (byte) c);
                }
                mallocSize += at - w.malloc;
                w.malloc = at;
                if (i < end) {
                    break;
                }
            }
        }
        if (i < len) {
            writeBinary(s.substring(i).getBytes(charset));
        }
    }

    @Override
    public void writeByte(byte b) {
        Node w = write;
        if (!pinned || w == null || w.writableBytes() == 0) {
            w = writableNode(1, 1);
        }
        w.memory.put(w.malloc++, b);
        mallocSize++;
    }

    @Override
    public void writeDirect(ByteBuffer extra, int remainCap) {
        checkOpen();
        if (remainCap < 0 || remainCap > mallocSize) {
            throw new IllegalArgumentException(
                    "writeDirect(remainCap=" + remainCap + "): must be between 0 and mallocLen() = " + mallocSize);
        }
        int n = extra.remaining();
        if (n == 0) {
            return;
        }
        pin();
        Node data = pool.wrap(extra);
        Node x = unflushedStart();
        if (x == null) {
            first = data;
            write = data;
            mallocSize += n;
            return;
        }
        int keep = mallocSize - remainCap;
        while (keep > x.malloc - x.end) {
            keep -= x.malloc - x.end;
            x = x.next;
        }
        int cut = x.end + keep;
        if (cut < x.malloc) {
            // The reserved bytes after the cut continue in a node of their own, after the data.
            Node tail = pool.takeReference(x).bindReference(x, cut, cut);
            tail.malloc = x.malloc;
            tail.writable = x.writable;
            x.malloc = cut;
            x.writable = false;
            tail.next = x.next;
            data.next = tail;
            if (write == x) {
                write = tail;
            }
        } else {
            data.next = x.next;
            x.writable = false;
            if (write == x) {
                write = data;
            }
        }
        x.next = data;
        mallocSize += n;
    }

    @Override
    public void append(LinkBuffer other) {
        Objects.requireNonNull(other, "other");
        if (other == this) {
            throw new IllegalArgumentException("append: a buffer cannot be appended to itself");
        }
        checkOpen();
        other.checkOpen();
        other.flush();
        int n = other.len();
        if (n == 0) {
            other.release();
            return;
        }
        if (n > Integer.MAX_VALUE - mallocSize) {
            throw new IllegalStateException("append: more than Integer.MAX_VALUE unflushed bytes");
        }
        pin();
        Node moved = other.read != null ? other.read : other.first;
        Node otherWrite = other.write;
        if (other.head != null) {
            for (Node h = other.head; h != moved; ) {
                Node next = h.next;
                free(h);
                h = next;
            }
        }
        appendChain(moved, otherWrite);
        mallocSize += n;
        other.head = null;
        other.first = null;
        other.forgetAll();
    }

    /**
     * Moves the next {@code n} readable bytes of {@code source} to the end of this buffer's
     * written bytes without copying them, then performs {@code source.release()}: the same as
     * {@code append(source.slice(n))}, without creating the intermediate buffer when
     * {@code source} is a {@link LinkBuffer} (any other {@link Reader} goes through
     * {@link Reader#slice}). Called by the writer thread of this buffer, which must also be the
     * reader thread of {@code source}.
     */
    @Override
    public void append(Reader source, int n) throws IOException {
        Objects.requireNonNull(source, "source");
        if (source == this) {
            throw new IllegalArgumentException("append: a buffer cannot be appended to itself");
        }
        if (!(source instanceof LinkBuffer)) {
            append(source.slice(n));
            return;
        }
        LinkBuffer src = (LinkBuffer) source;
        checkOpen();
        src.checkReadable("append", n);
        if (n > 0) {
            if (n > Integer.MAX_VALUE - mallocSize) {
                throw new IllegalStateException("append: more than Integer.MAX_VALUE unflushed bytes");
            }
            pin();
            appendChain(src.cut(n), null);
            mallocSize += n;
        }
        src.release();
    }

    /**
     * Links the readable nodes of a chain that nobody else uses after this buffer's written
     * bytes, as unflushed bytes; empty nodes are freed. Only {@code writableTail} may keep its
     * spare room writable, and only if nobody else can see its memory. Writer side, pinned.
     */
    private void appendChain(Node chain, Node writableTail) {
        for (Node x = chain; x != null; ) {
            Node next = x.next;
            x.next = null;
            if (x.readable() == 0) {
                free(x);
            } else {
                // Re-enter as unflushed bytes of this buffer; keep spare room writable only if
                // nobody else can see this memory.
                x.malloc = x.end;
                x.end = x.off;
                x.writable = x == writableTail && x.isOwner() && x.writable && x.refCnt() == 1;
                if (write == null) {
                    first = x;
                } else {
                    write.next = x;
                }
                write = x;
            }
            x = next;
        }
    }

    @Override
    public void flush() {
        if (!pinned) {
            checkOpen();
            return;
        }
        int n = mallocSize;
        Node f = flush;
        if (n == 0) {
            // Nothing to publish: give back the empty nodes taken since the last flush.
            if (f == null) {
                freeChain(first);
                first = null;
                write = null;
            } else {
                freeChain(f.next);
                f.next = null;
                write = f;
            }
        } else {
            if (n > Integer.MAX_VALUE - len()) {
                throw new IllegalStateException("flush: a LinkBuffer holds at most Integer.MAX_VALUE bytes");
            }
            for (Node x = f == null ? first : f; x != null; x = x.next) {
                x.end = x.malloc;
            }
            flush = write;
            FLUSHED.setRelease(this, (long) FLUSHED.getOpaque(this) + n);
        }
        mallocSize = 0;
        writeEpoch++;
        pinned = false;
        STATE.setRelease(this, 0);
    }

    /**
     * Writer side, for transports: one {@code read} from {@code channel} into this buffer's tail
     * (into the free space of the current tail node when it has at least half of
     * {@code sizeHint}, otherwise into a new node of {@code sizeHint} bytes), then
     * {@link #flush()}. Returns the bytes read, or -1 at end of stream. Not API: the transport
     * reaches it through {@link LinkBufferAccess}.
     *
     * <p>Errors: {@link BufferBudgetExceededException} when the pool's memory budget refuses the
     * node (nothing was read; stop reading the channel and resume when
     * {@link BufferBudgetExceededException#onMemoryAvailable} says so); the pool tells a reader
     * that holds many unread bytes no earlier than one that holds few.
     */
    int fillFrom(ReadableByteChannel channel, int sizeHint) throws IOException {
        checkSize("fillFrom", sizeHint);
        Node w;
        try {
            // The unread bytes tell the pool whether this reader consumes (see BufferPool's budget).
            w = writableNode(Math.max(1, sizeHint >>> 1), sizeHint, len());
        } catch (BufferBudgetExceededException e) {
            flush();
            throw e;
        }
        ByteBuffer view = w.writeView(w.malloc, w.capacity(), writeEpoch);
        int r;
        try {
            r = channel.read(view);
        } catch (IOException | RuntimeException e) {
            flush();
            throw e;
        }
        if (r > 0) {
            w.malloc += r;
            mallocSize += r;
        }
        // With nothing read, this gives back a node taken for the read.
        flush();
        return r;
    }

    // ---------------------------------------------------------------- both / lifecycle

    /**
     * True when nothing is readable and nothing is written but unflushed. Call it from the writer
     * thread, or when no writer is active.
     */
    public boolean isEmpty() {
        return len() == 0 && mallocSize == 0;
    }

    /** Returns every node to the pool. Idempotent. Must not race with the reader or the writer. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        forgetAll();
        closed = true;
    }

    @Override
    public String toString() {
        return "LinkBuffer[len=" + len() + ", mallocLen=" + mallocSize + (closed ? ", closed]" : "]");
    }

    // ---------------------------------------------------------------- internals

    /** Frees every node and resets to the empty state. Neither side may be active. */
    private void forgetAll() {
        freeChain(head != null ? head : first);
        freeScratch();
        head = null;
        read = null;
        first = null;
        write = null;
        flush = null;
        mallocSize = 0;
        pinned = false;
        readEpoch++;
        writeEpoch++;
        FLUSHED.setVolatile(this, 0L);
        TAKEN.setVolatile(this, 0L);
        STATE.setRelease(this, 0);
    }

    /** Sets up a fresh buffer holding {@code n} readable bytes in the chain {@code h..t}. */
    private void adoptReadable(Node h, Node t, int n) {
        head = h;
        read = h;
        first = h;
        write = t;
        flush = t;
        TAKEN.setVolatile(this, 0L);
        FLUSHED.setVolatile(this, (long) n);
    }

    /**
     * The node holding the next readable byte. Only called when at least one byte is readable,
     * so every exhausted node passed over lies before the flush point and has a successor.
     */
    private Node readNode() {
        Node node = read;
        if (node == null) {
            node = first;
            head = node;
        }
        while (node.readable() == 0) {
            node = node.next;
        }
        read = node;
        return node;
    }

    /** Reader side: counts {@code n} more bytes as taken. */
    private void advanceTaken(long n) {
        TAKEN.setRelease(this, (long) TAKEN.getOpaque(this) + n);
    }

    /** Advances past {@code n} readable bytes (already counted as taken). */
    private void take(int n) {
        Node node = readNode();
        while (true) {
            int k = Math.min(n, node.readable());
            node.off += k;
            n -= k;
            if (n == 0) {
                break;
            }
            node = node.next;
        }
        read = node;
    }

    /** Copies {@code n} bytes starting in {@code node} into a scratch node; a view of it. */
    private ByteBuffer copyOut(Node node, int n, boolean consume) {
        Node s = pool.take(n);
        s.next = scratch;
        scratch = s;
        int copied = 0;
        while (true) {
            int k = Math.min(n - copied, node.readable());
            s.memory.put(copied, node.memory, node.off, k);
            if (consume) {
                node.off += k;
            }
            copied += k;
            if (copied == n) {
                break;
            }
            node = node.next;
        }
        if (consume) {
            read = node;
        }
        return s.readView(0, n, readEpoch);
    }

    /** Frees the last node of an empty buffer, unless the writer is between malloc and flush. */
    private void tryTrim() {
        if (!STATE.compareAndSet(this, 0, TRIMMING)) {
            return;
        }
        // The writer is idle: its last flush moved the flush point to its write node, and the
        // length is 0, so head == read == flush == write and nothing in it is unread.
        if (len() == 0 && head == read && read == write) {
            freeChain(head);
            head = null;
            read = null;
            first = null;
            write = null;
            flush = null;
        }
        STATE.setRelease(this, 0);
    }

    /** Marks the writer busy, excluding a concurrent trim of the last node. */
    private void pin() {
        if (pinned) {
            return;
        }
        checkOpen();
        int spins = 0;
        while (!STATE.compareAndSet(this, 0, WRITING)) {
            // Only a trim can hold the state, and it takes a few instructions.
            if (++spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        pinned = true;
    }

    /**
     * The write node if it has {@code min} free bytes; otherwise a new one of at least
     * {@code want} bytes (the node size for small writes, at most the largest pooled size).
     */
    private Node writableNode(int min, int want) {
        return writableNode(min, want, -1);
    }

    /** {@link #writableNode(int, int)} for a reader holding {@code held} unread bytes (-1: a writer). */
    private Node writableNode(int min, int want, long held) {
        pin();
        Node w = write;
        if (w != null && w.writableBytes() >= min) {
            return w;
        }
        int size = Math.max(min, Math.max(nodeSize, Math.min(want, BufferPool.MAX_NODE_SIZE)));
        Node node = pool.take(size, held);
        if (w == null) {
            first = node;
        } else {
            w.next = node;
        }
        write = node;
        return node;
    }

    /** The node where the unflushed bytes begin (null when the buffer holds no node). */
    private Node unflushedStart() {
        Node f = flush;
        return f != null ? f : first;
    }

    private void freeChain(Node node) {
        while (node != null) {
            Node next = node.next;
            free(node);
            node = next;
        }
    }

    private void freeScratch() {
        Node s = scratch;
        scratch = null;
        freeChain(s);
    }

    private void free(Node node) {
        node.next = null;
        Node dead = node.drop();
        // Each node goes back to the pool it came from, which after append() need not be ours.
        if (!node.isOwner()) {
            node.pool.recycleReference(node);
        }
        if (dead != null && dead.pool != null) {
            dead.pool.recycle(dead);
        }
    }

    private void checkReadable(String op, int n) {
        checkOpen();
        checkSize(op, n);
        int len = len();
        if (n > len) {
            throw new IndexOutOfBoundsException(op + "(" + n + "): only " + len + " bytes readable");
        }
    }

    private static void checkSize(String op, int n) {
        if (n < 0) {
            throw new IllegalArgumentException(op + "(" + n + "): size must not be negative");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("LinkBuffer is closed");
        }
    }

    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** Index of {@code b} in {@code memory[from, to)}, eight bytes at a time; -1 if absent. */
    private static int indexOf(ByteBuffer memory, int from, int to, byte b) {
        int i = from;
        long pattern = (b & 0xffL) * ONES;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long x = memory.getLong(i) ^ pattern;
            long found = (x - ONES) & ~x & HIGHS;
            if (found != 0) {
                // Node memory is little-endian: the lowest flagged byte is the first match, and
                // the borrow trick never flags a byte below the first real match.
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (memory.get(i) == b) {
                return i;
            }
        }
        return -1;
    }
}
