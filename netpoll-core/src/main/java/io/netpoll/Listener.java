package io.netpoll;

import io.netpoll.internal.Acceptor;
import io.netpoll.internal.Addresses;

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
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A listening socket (netpoll's {@code Listener}): TCP ({@code tcp}, {@code tcp4}, {@code tcp6})
 * or a Unix domain socket ({@code unix}), created by {@link Netpoll#createListener} or wrapping
 * an existing {@link ServerSocketChannel} ({@link #of}). Hand it to {@link EventLoop#serve}.
 *
 * <p>Threading: thread-safe. Ownership: the listener owns its channel; {@link #close()} (or the
 * event loop's shutdown) closes it and, for a Unix socket this listener created, deletes the
 * socket file. Errors: creation throws the bind's {@link IOException} (address in use, ...), and
 * {@link IllegalArgumentException} for an unknown network or a malformed address.
 */
public final class Listener implements AutoCloseable {
    private static final int BACKLOG = 4096;

    private final ServerSocketChannel channel;
    private final String network;
    private final SocketAddress localAddress;
    private final Path ownedSocketFile;
    private final List<Acceptor> acceptors = new CopyOnWriteArrayList<>();

    private Listener(ServerSocketChannel channel, String network, Path ownedSocketFile) throws IOException {
        this.channel = channel;
        this.network = network;
        this.localAddress = channel.getLocalAddress();
        this.ownedSocketFile = ownedSocketFile;
    }

    /** Binds a new listener; see {@link Netpoll#createListener}. */
    static Listener create(String network, String address) throws IOException {
        ProtocolFamily family = Addresses.family(network);
        SocketAddress bindTo = Addresses.resolve(network, address, true);
        ServerSocketChannel ch = family == null ? ServerSocketChannel.open() : ServerSocketChannel.open(family);
        try {
            if (family != StandardProtocolFamily.UNIX) {
                ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            }
            ch.bind(bindTo, BACKLOG);
            Path file = bindTo instanceof UnixDomainSocketAddress u ? u.getPath() : null;
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
        String network = a instanceof UnixDomainSocketAddress ? "unix"
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
