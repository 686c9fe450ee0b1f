package io.netpoll;

import io.netpoll.internal.Acceptor;
import io.netpoll.internal.Addresses;
import io.netpoll.internal.SocketOptions;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A listening socket (netpoll's {@code Listener}): TCP ({@code tcp}, {@code tcp4}, {@code tcp6})
 * or a Unix domain socket ({@code unix}), created by {@link Netpoll#createListener} or wrapping
 * an existing {@link ServerSocketChannel} ({@link #of}), or bound to a socket address with a
 * backlog and a receive buffer size of one's own ({@link #bind}). Hand it to
 * {@link EventLoop#serve} or {@link EventLoop#serveAsync}.
 *
 * <p>Threading: thread-safe. Ownership: the listener owns its channel; {@link #close()} (or the
 * event loop's shutdown) closes it and, for a Unix socket this listener created, deletes the
 * socket file. Errors: creation throws the bind's {@link IOException} (address in use, ...), and
 * {@link IllegalArgumentException} for an unknown network or a malformed address.
 */
public final class Listener implements AutoCloseable {
    /** The accept queue length when none is given. */
    public static final int DEFAULT_BACKLOG = 4096;

    private final ServerSocketChannel channel;
    private final String network;
    private final SocketAddress localAddress;
    private final @Nullable Path ownedSocketFile;
    private final List<Acceptor> acceptors = new CopyOnWriteArrayList<>();

    private Listener(ServerSocketChannel channel, String network, @Nullable Path ownedSocketFile) throws IOException {
        this.channel = channel;
        this.network = network;
        this.localAddress = channel.getLocalAddress();
        this.ownedSocketFile = ownedSocketFile;
    }

    /** Binds a new listener; see {@link Netpoll#createListener}. */
    static Listener create(String network, String address, int backlog, int receiveBufferSize) throws IOException {
        Addresses.family(network); // rejects an unknown network before the address is parsed
        return bind(network, Addresses.resolve(network, address, true), backlog, receiveBufferSize);
    }

    /**
     * Binds a new listener to {@code address} on {@code network} ({@code tcp}, {@code tcp4},
     * {@code tcp6} with an {@link InetSocketAddress}, whose wildcard address listens on every
     * interface; {@code unix} with a {@link UnixDomainSocketAddress}, whose file is deleted again
     * when the listener closes). TCP listeners get SO_REUSEADDR. SO_RCVBUF is set before binding,
     * so accepted sockets inherit it from the handshake on (the TCP window scale is fixed there).
     *
     * @param backlog           the accept queue length; 0 for {@link #DEFAULT_BACKLOG} (the OS may cap it,
     *                          {@code net.core.somaxconn} on Linux)
     * @param receiveBufferSize SO_RCVBUF in bytes; 0 for the OS's
     * @throws IllegalArgumentException for an unknown network, an address of the wrong kind, or a
     *                                  negative backlog or buffer size
     * @throws IOException              if binding fails ({@link java.net.BindException}: address in use)
     */
    public static Listener bind(String network, SocketAddress address, int backlog, int receiveBufferSize)
            throws IOException {
        Objects.requireNonNull(address, "address");
        ProtocolFamily family = Addresses.family(network);
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must not be negative: " + backlog);
        }
        if (receiveBufferSize < 0) {
            throw new IllegalArgumentException("receiveBufferSize must not be negative: " + receiveBufferSize);
        }
        boolean unix = family == StandardProtocolFamily.UNIX;
        if (unix != address instanceof UnixDomainSocketAddress) {
            throw new IllegalArgumentException("network " + network + " cannot bind " + address
                    + (unix ? ": it needs a UnixDomainSocketAddress" : ": it needs an InetSocketAddress"));
        }
        ServerSocketChannel ch = family == null ? ServerSocketChannel.open() : ServerSocketChannel.open(family);
        try {
            SocketOptions.listener(ch, !unix, receiveBufferSize, true);
            ch.bind(address, backlog > 0 ? backlog : DEFAULT_BACKLOG);
            Path file = address instanceof UnixDomainSocketAddress u ? u.getPath() : null;
            return new Listener(ch, network, file);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Wraps an already bound server channel (netpoll's {@code ConvertListener}). The listener takes
     * ownership: it is closed with the listener; a Unix socket file is left alone.
     */
    public static Listener of(ServerSocketChannel channel) throws IOException {
        SocketAddress a = channel.getLocalAddress();
        if (a == null) {
            throw new IllegalArgumentException("the channel is not bound");
        }
        String network = a instanceof UnixDomainSocketAddress
                ? "unix"
                : ((InetSocketAddress) a).getAddress() instanceof java.net.Inet4Address ? "tcp4" : "tcp6";
        return new Listener(channel, network, null);
    }

    /** {@code tcp}, {@code tcp4}, {@code tcp6} or {@code unix}. */
    public String network() {
        return network;
    }

    /** The bound address (with the actual port when bound to port 0). */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /** The bound TCP port, or -1 for a Unix socket. */
    public int port() {
        return localAddress instanceof InetSocketAddress isa ? isa.getPort() : -1;
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    ServerSocketChannel channel() {
        return channel;
    }

    void attach(Acceptor acceptor) {
        acceptors.add(acceptor);
        if (!channel.isOpen()) {
            acceptor.stop();
        }
    }

    /** Stops accepting and closes the socket (and deletes the Unix socket file it created). Idempotent. */
    @Override
    public void close() {
        for (Acceptor a : acceptors) {
            a.stop();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing useful to do: the socket is gone either way.
        }
        if (ownedSocketFile != null) {
            try {
                Files.deleteIfExists(ownedSocketFile);
            } catch (IOException ignored) {
                // A stale socket file only matters to the next bind, which will report it.
            }
        }
    }

    @Override
    public String toString() {
        return "Listener[" + network + " " + localAddress + "]";
    }
}
