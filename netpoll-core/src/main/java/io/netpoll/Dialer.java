package io.netpoll;

import io.netpoll.internal.Addresses;
import io.netpoll.internal.ConnOwner;
import io.netpoll.internal.ConnSettings;
import io.netpoll.internal.Counters;
import io.netpoll.internal.NioConnection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Creates client connections (netpoll's {@code Dialer}) registered with the pollers of a
 * {@link PollerGroup}. A client connection has no handler: its reads block until data arrives,
 * or {@link Connection#setOnRequest} switches it to callbacks (run as this dialer's {@link Option#handlerMode} says).
 *
 * <p>Threading: thread-safe and reusable; dialing blocks the caller until connected or the dial
 * timeout passes. Ownership: the caller owns each returned connection and closes it; closing the
 * poller group closes them too. The connect timeout is either an argument of the call or, for
 * the calls without one, the dialer's {@link Option#connectTimeout}. Errors:
 * {@link DialTimeoutException} after the timeout,
 * {@link java.net.ConnectException} when refused (at once for a closed local port),
 * {@link IllegalArgumentException} for a malformed address.
 */
public final class Dialer {
    private final ConnSettings settings;
    private final Counters counters = new Counters();
    private final ConnOwner owner = new ConnOwner() {
        @Override
        public Counters counters() {
            return counters;
        }

        @Override
        public void onFinished(NioConnection connection) {
            // Nothing tracks client connections beyond the counters.
        }

        @Override
        public boolean draining() {
            return false;
        }
    };

    Dialer(Option... options) {
        this.settings = Option.settings(options);
    }

    /**
     * Connects to {@code address} on {@code network} ({@code tcp}, {@code tcp4}, {@code tcp6},
     * {@code unix}) within this dialer's {@link #connectTimeout() connect timeout}.
     */
    public Connection dialConnection(String network, String address) throws IOException {
        return dialConnection(network, address, settings.connectTimeout);
    }

    /**
     * Connects to {@code address} on {@code network} ({@code tcp}, {@code tcp4}, {@code tcp6},
     * {@code unix}) within {@code timeout} ({@code null}, zero or negative: no limit but the OS's).
     */
    public Connection dialConnection(String network, String address, Duration timeout) throws IOException {
        SocketAddress remote = Addresses.resolve(network, address, false);
        return dial(Addresses.familyFor(network, remote), null, remote, timeout);
    }

    /** Connects over TCP, optionally from {@code local} (null: any), within this dialer's connect timeout. */
    public Connection dialTCP(String network, InetSocketAddress local, InetSocketAddress remote) throws IOException {
        return dialTCP(network, local, remote, settings.connectTimeout);
    }

    /** Connects over TCP, optionally from {@code local} (null: any), within {@code timeout} (as in {@link #dialConnection(String, String, Duration)}). */
    public Connection dialTCP(String network, InetSocketAddress local, InetSocketAddress remote, Duration timeout)
            throws IOException {
        Objects.requireNonNull(remote, "remote");
        ProtocolFamily family = Addresses.familyFor(network, remote);
        if (family == StandardProtocolFamily.UNIX) {
            throw new IllegalArgumentException("dialTCP needs a tcp network, not " + network);
        }
        return dial(family, local, remote, timeout);
    }

    /** Connects to a Unix domain socket, optionally bound to {@code local} (null: unnamed). */
    public Connection dialUnix(UnixDomainSocketAddress local, UnixDomainSocketAddress remote) throws IOException {
        Objects.requireNonNull(remote, "remote");
        return dial(StandardProtocolFamily.UNIX, local, remote, null);
    }

    private Connection dial(ProtocolFamily family, SocketAddress local, SocketAddress remote, Duration timeout)
            throws IOException {
        PollerGroup group = settings.group != null ? (PollerGroup) settings.group : Netpoll.defaultGroup();
        Executor executor = settings.executor != null ? settings.executor : group.workers();
        SocketChannel ch = SocketChannel.open(family);
        try {
            // Before connecting: SO_RCVBUF decides the window scale offered in the SYN.
            if (settings.receiveBufferSize > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, settings.receiveBufferSize);
            }
            if (settings.sendBufferSize > 0) {
                ch.setOption(StandardSocketOptions.SO_SNDBUF, settings.sendBufferSize);
            }
            if (local != null) {
                ch.bind(local);
            }
            long timeoutMs = timeout == null ? 0 : Math.max(timeout.isZero() || timeout.isNegative() ? 0 : 1, timeout.toMillis());
            if (family == StandardProtocolFamily.UNIX || timeoutMs == 0) {
                ch.connect(remote);
            } else {
                try {
                    ch.socket().connect(remote, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
                } catch (SocketTimeoutException e) {
                    throw new DialTimeoutException("dial " + remote + " timed out after " + timeout);
                }
            }
            ch.configureBlocking(false);
            if (family != StandardProtocolFamily.UNIX) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, settings.noDelay);
                ch.setOption(StandardSocketOptions.SO_KEEPALIVE, settings.keepAlive);
            }
            NioConnection c = new NioConnection(ch, group.next(), owner, settings, executor, null);
            counters.accepted();
            c.register();
            return c;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The connect timeout of the calls that take none ({@link Option#connectTimeout}), or
     * {@code null} when they wait as long as the OS does.
     */
    public Duration connectTimeout() {
        return settings.connectTimeout;
    }

    /** Read-only counters of the connections this dialer created. */
    public NetStats stats() {
        return counters;
    }
}
