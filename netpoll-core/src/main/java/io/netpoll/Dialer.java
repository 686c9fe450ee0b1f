package io.netpoll;

import io.netpoll.internal.Addresses;
import io.netpoll.internal.ConnOwner;
import io.netpoll.internal.ConnSettings;
import io.netpoll.internal.Counters;
import io.netpoll.internal.ErrorPolicy;
import io.netpoll.internal.NioConnection;
import io.netpoll.internal.SocketOptions;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
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
 * the calls without one, the dialer's {@link Option#connectTimeout}. Settings: a
 * {@link DialerConfig} (from {@link DialerOption}s), whose server-only settings do not exist.
 * Errors:
 * {@link DialTimeoutException} after the timeout,
 * {@link java.net.ConnectException} when refused (at once for a closed local port),
 * {@link javax.net.ssl.SSLHandshakeException} when the TLS handshake ({@link Option#tls}) fails
 * or times out (the connection is closed),
 * {@link IllegalArgumentException} for a malformed address.
 */
public final class Dialer {
    private final DialerConfig config;
    private final ConnSettings settings;
    private final Counters counters = new Counters();
    private final ErrorPolicy errors;
    private final ConnOwner owner = new ConnOwner() {
        @Override
        public Counters counters() {
            return counters;
        }

        @Override
        public ErrorPolicy errors() {
            return errors;
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

    Dialer(DialerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.settings = config.settings();
        this.errors = new ErrorPolicy(settings.onError, counters);
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
    public Connection dialConnection(String network, String address, @Nullable Duration timeout) throws IOException {
        SocketAddress remote = Addresses.resolve(network, address, false);
        return dial(Addresses.familyFor(network, remote), null, remote, timeout);
    }

    /** Connects over TCP, optionally from {@code local} (null: any), within this dialer's connect timeout. */
    public Connection dialTCP(String network, @Nullable InetSocketAddress local, InetSocketAddress remote)
            throws IOException {
        return dialTCP(network, local, remote, settings.connectTimeout);
    }

    /** Connects over TCP, optionally from {@code local} (null: any), within {@code timeout} (as in {@link #dialConnection(String, String, Duration)}). */
    public Connection dialTCP(
            String network, @Nullable InetSocketAddress local, InetSocketAddress remote, @Nullable Duration timeout)
            throws IOException {
        Objects.requireNonNull(remote, "remote");
        ProtocolFamily family = Addresses.familyFor(network, remote);
        if (family == StandardProtocolFamily.UNIX) {
            throw new IllegalArgumentException("dialTCP needs a tcp network, not " + network);
        }
        return dial(family, local, remote, timeout);
    }

    /** Connects to a Unix domain socket, optionally bound to {@code local} (null: unnamed). */
    public Connection dialUnix(@Nullable UnixDomainSocketAddress local, UnixDomainSocketAddress remote)
            throws IOException {
        Objects.requireNonNull(remote, "remote");
        return dial(StandardProtocolFamily.UNIX, local, remote, null);
    }

    private Connection dial(
            ProtocolFamily family, @Nullable SocketAddress local, SocketAddress remote, @Nullable Duration timeout)
            throws IOException {
        PollerGroup group = settings.group != null ? (PollerGroup) settings.group : Netpoll.defaultGroup();
        Executor executor = settings.executor != null ? settings.executor : group.workers();
        SocketChannel ch = SocketChannel.open(family);
        boolean owned = false; // once registered, the connection closes the channel
        try {
            // Before connecting: SO_RCVBUF decides the window scale offered in the SYN.
            SocketOptions.beforeConnect(ch, settings);
            if (local != null) {
                ch.bind(local);
            }
            long timeoutMs = timeout == null
                    ? 0
                    : Math.max(timeout.isZero() || timeout.isNegative() ? 0 : 1, timeout.toMillis());
            if (family == StandardProtocolFamily.UNIX || timeoutMs == 0) {
                ch.connect(remote);
            } else {
                try {
                    ch.socket().connect(remote, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
                } catch (SocketTimeoutException e) {
                    throw new DialTimeoutException("dial " + remote + " timed out after " + timeout);
                }
            }
            SocketOptions.connected(ch, settings, false);
            String host = null;
            int port = -1;
            if (remote instanceof InetSocketAddress isa) {
                host = isa.getHostString(); // the name as dialed: SNI and host name verification
                port = isa.getPort();
            }
            NioConnection c = new NioConnection(ch, group.next(), owner, settings, executor, null, host, port);
            counters.accepted();
            c.register();
            owned = true;
            if (settings.tls != null) {
                // The dial completes with the handshake (bounded by the config's handshake timeout).
                try {
                    c.awaitHandshake();
                } catch (IOException e) {
                    // The connection closes itself on its poller, after sending the engine's alert
                    // (a certificate refused, ...): closing the channel here would race it and drop
                    // the alert, leaving the server to see a bare close.
                    c.close();
                    throw e;
                }
            }
            return c;
        } catch (IOException | RuntimeException e) {
            if (!owned) {
                ch.close();
            }
            throw e;
        }
    }

    /**
     * The connect timeout of the calls that take none ({@link Option#connectTimeout}), or
     * {@code null} when they wait as long as the OS does.
     */
    public @Nullable Duration connectTimeout() {
        return settings.connectTimeout;
    }

    /** The settings this dialer was created with. */
    public DialerConfig config() {
        return config;
    }

    /** Read-only counters of the connections this dialer created. */
    public NetStats stats() {
        return counters;
    }
}
