package io.netpoll;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;

/**
 * netpoll's package-level functions, in Java: listeners, event loops, dialing, and the settings
 * of the default {@link PollerGroup} that they use unless given {@link Option#pollerGroup}.
 *
 * <p>Threading: all methods are thread-safe. The default group is created on first use with
 * {@link PollerGroup#defaultNumLoops()} pollers; it uses daemon threads, so it never keeps the
 * JVM alive. Applications that start and stop servers repeatedly (tests, Spring contexts) should
 * create and close their own {@link PollerGroup} instead.
 */
public final class Netpoll {
    private static PollerGroup defaultGroup;
    private static int numLoops = PollerGroup.defaultNumLoops();
    private static LoadBalance loadBalance = LoadBalance.ROUND_ROBIN;
    private static volatile Dialer defaultDialer;

    private Netpoll() {}

    /** The default poller group (created, or re-created after {@link #closeDefaultGroup()}, on demand). */
    public static synchronized PollerGroup defaultGroup() {
        if (defaultGroup == null || defaultGroup.isClosed()) {
            defaultGroup = PollerGroup.create(numLoops, loadBalance);
        }
        return defaultGroup;
    }

    /** Closes the default group (its connections and listeners close); the next use creates a new one. */
    public static synchronized void closeDefaultGroup() {
        if (defaultGroup != null) {
            defaultGroup.close();
            defaultGroup = null;
        }
    }

    /** Sets the number of pollers of the default group (netpoll's {@code SetNumLoops}). */
    public static synchronized void setNumLoops(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("numLoops must be at least 1, was " + n);
        }
        numLoops = n;
        if (defaultGroup != null) {
            defaultGroup.setNumLoops(n);
        }
    }

    /** Sets how the default group spreads new connections (netpoll's {@code SetLoadBalance}). */
    public static synchronized void setLoadBalance(LoadBalance lb) {
        loadBalance = lb;
        if (defaultGroup != null) {
            defaultGroup.setLoadBalance(lb);
        }
    }

    /**
     * Binds a listener (netpoll's {@code CreateListener}). {@code network} is {@code tcp},
     * {@code tcp4}, {@code tcp6} or {@code unix}; {@code address} is {@code host:port} (port 0
     * picks a free one; {@code [::1]:port} for IPv6; {@code :port} for all interfaces) or, for
     * {@code unix}, a socket file path.
     */
    public static Listener createListener(String network, String address) throws IOException {
        return Listener.create(network, address, 0, 0);
    }

    /**
     * Binds a listener as {@link #createListener(String, String)} does, with an accept queue
     * length ({@code backlog}; 0 for {@link Listener#DEFAULT_BACKLOG}) and SO_RCVBUF
     * ({@code receiveBufferSize}; 0 for the OS's, set before binding so that accepted sockets
     * inherit it). See {@link Listener#bind} for a socket address instead of a string.
     *
     * @throws IllegalArgumentException for a negative backlog or buffer size
     */
    public static Listener createListener(String network, String address, int backlog, int receiveBufferSize)
            throws IOException {
        return Listener.create(network, address, backlog, receiveBufferSize);
    }

    /** Wraps a bound server channel (netpoll's {@code ConvertListener}). */
    public static Listener convertListener(ServerSocketChannel channel) throws IOException {
        return Listener.of(channel);
    }

    /**
     * Creates a server running {@code onRequest} for every connection (netpoll's
     * {@code NewEventLoop}). Only {@link ServerOption}s compile here: the {@link Option}s every
     * connection has, and the server-only {@link Option#maxConnections}, {@link Option#onPrepare},
     * {@link Option#onConnect}.
     *
     * @param <C> the handler's context type (see {@link OnRequest})
     */
    public static <C extends @Nullable Object> EventLoop newEventLoop(OnRequest<C> onRequest, ServerOption... options) {
        return new EventLoop(onRequest, ServerConfig.of(options));
    }

    /** Creates a server running {@code onRequest} with the settings of {@code config}. */
    public static <C extends @Nullable Object> EventLoop newEventLoop(OnRequest<C> onRequest, ServerConfig config) {
        return new EventLoop(onRequest, config);
    }

    /**
     * Creates a reusable dialer (netpoll's {@code NewDialer}). Only {@link DialerOption}s compile
     * here: the {@link Option}s every connection has, and the dialer-only
     * {@link Option#connectTimeout}.
     */
    public static Dialer newDialer(DialerOption... options) {
        return new Dialer(DialerConfig.of(options));
    }

    /** Creates a reusable dialer with the settings of {@code config}. */
    public static Dialer newDialer(DialerConfig config) {
        return new Dialer(config);
    }

    private static Dialer dialer() {
        Dialer d = defaultDialer;
        if (d == null) {
            synchronized (Netpoll.class) {
                d = defaultDialer;
                if (d == null) {
                    d = defaultDialer = new Dialer(DialerConfig.defaults());
                }
            }
        }
        return d;
    }

    /** Dials with default options (netpoll's {@code DialConnection}). */
    public static Connection dialConnection(String network, String address, @Nullable Duration timeout)
            throws IOException {
        return dialer().dialConnection(network, address, timeout);
    }

    /** netpoll's {@code DialTCP}. */
    public static Connection dialTCP(
            String network, @Nullable InetSocketAddress local, InetSocketAddress remote, @Nullable Duration timeout)
            throws IOException {
        return dialer().dialTCP(network, local, remote, timeout);
    }

    /** netpoll's {@code DialUnix}. */
    public static Connection dialUnix(@Nullable UnixDomainSocketAddress local, UnixDomainSocketAddress remote)
            throws IOException {
        return dialer().dialUnix(local, remote);
    }
}
