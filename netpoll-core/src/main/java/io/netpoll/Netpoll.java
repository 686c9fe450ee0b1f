package io.netpoll;

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

    private Netpoll() {
    }

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
        return Listener.create(network, address);
    }

    /** Wraps a bound server channel (netpoll's {@code ConvertListener}). */
    public static Listener convertListener(ServerSocketChannel channel) throws IOException {
        return Listener.of(channel);
    }

    /** Creates a server running {@code onRequest} for every connection (netpoll's {@code NewEventLoop}). */
    public static EventLoop newEventLoop(OnRequest onRequest, Option... options) {
        return new EventLoop(onRequest, options);
    }

    /** Creates a reusable dialer (netpoll's {@code NewDialer}). */
    public static Dialer newDialer(Option... options) {
        return new Dialer(options);
    }

    private static Dialer dialer() {
        Dialer d = defaultDialer;
        if (d == null) {
            synchronized (Netpoll.class) {
                d = defaultDialer;
                if (d == null) {
                    d = defaultDialer = new Dialer();
                }
            }
        }
        return d;
    }

    /** Dials with default options (netpoll's {@code DialConnection}). */
    public static Connection dialConnection(String network, String address, Duration timeout) throws IOException {
        return dialer().dialConnection(network, address, timeout);
    }

    /** netpoll's {@code DialTCP}. */
    public static Connection dialTCP(String network, InetSocketAddress local, InetSocketAddress remote, Duration timeout)
            throws IOException {
        return dialer().dialTCP(network, local, remote, timeout);
    }

    /** netpoll's {@code DialUnix}. */
    public static Connection dialUnix(UnixDomainSocketAddress local, UnixDomainSocketAddress remote) throws IOException {
        return dialer().dialUnix(local, remote);
    }
}
