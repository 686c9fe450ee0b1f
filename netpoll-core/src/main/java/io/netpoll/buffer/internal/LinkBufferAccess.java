package io.netpoll.buffer.internal;

import io.netpoll.buffer.LinkBuffer;

import java.io.IOException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * Not API: the transport's way into a {@link LinkBuffer} ({@code fillFrom}, {@code drainTo}),
 * which are package-private in {@code io.netpoll.buffer} so that they are not part of the
 * buffer's public surface. This package is not exported by the module; on the class path it is
 * reachable but carries no compatibility promise. {@link LinkBuffer} installs the implementation
 * when it is initialised (the "shared secrets" pattern of the JDK), so the buffer package depends
 * on nothing of the networking code.
 *
 * <p>Threading: {@link #transport()} is safe from any thread; the operations have the threading
 * rules of the buffer's reader ({@code drainTo}) and writer ({@code fillFrom}) sides.
 */
public final class LinkBufferAccess {

    /** The transport operations on a buffer. */
    public interface Transport {
        /**
         * Writer side: one {@code read} from {@code channel} into the buffer's tail (the free
         * space of the tail node when it has at least half of {@code sizeHint}, otherwise a new
         * node of {@code sizeHint} bytes), then a flush. Returns the bytes read, or -1 at end of stream.
         */
        int fillFrom(LinkBuffer buffer, ReadableByteChannel channel, int sizeHint) throws IOException;

        /**
         * Reader side: one gathering {@code write} of the readable bytes to {@code channel}; the
         * bytes written are taken and released. Returns the bytes written (0 when the channel
         * accepts nothing now).
         */
        long drainTo(LinkBuffer buffer, GatheringByteChannel channel) throws IOException;
    }

    private static Transport transport;

    private LinkBufferAccess() {}

    /** Called once, by {@link LinkBuffer}'s static initialiser. */
    public static synchronized void install(Transport t) {
        if (transport != null) {
            throw new IllegalStateException("already installed");
        }
        transport = t;
    }

    /** The operations (initialising {@link LinkBuffer} if nothing has yet). */
    public static Transport transport() {
        synchronized (LinkBufferAccess.class) {
            if (transport != null) {
                return transport;
            }
        }
        try {
            Class.forName(LinkBuffer.class.getName(), true, LinkBuffer.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        synchronized (LinkBufferAccess.class) {
            if (transport == null) {
                throw new IllegalStateException("LinkBuffer did not install its transport access");
            }
            return transport;
        }
    }
}
