package io.netpoll;

import io.netpoll.internal.ConnSettings;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A setting for {@link Netpoll#newEventLoop} or {@link Netpoll#newDialer} (netpoll's
 * {@code Option}s: {@code WithReadTimeout} is {@code Option.readTimeout}, and so on).
 *
 * <p>The factories are all here, typed by where they apply: an {@code Option} (the type of this
 * class) is a setting of every connection and is both a {@link ServerOption} and a
 * {@link DialerOption}; {@link #maxConnections}, {@link #onPrepare} and {@link #onConnect} return
 * a {@link ServerOption} only, {@link #connectTimeout} a {@link DialerOption} only, so handing one
 * to the wrong side does not compile:
 * <pre>{@code
 * Netpoll.newEventLoop(handler, Option.readTimeout(d), Option.maxConnections(1000)); // fine
 * Netpoll.newDialer(Option.maxConnections(1000));  // does not compile: not a DialerOption
 * }</pre>
 * The same settings are available as typed builders ({@link ServerConfig#builder()},
 * {@link DialerConfig#builder()}), which apply these very factories.
 *
 * <p>Immutable and thread-safe; options apply in order, the last one of a kind wins. Errors: a
 * factory rejects a value outside its range at once with {@link IllegalArgumentException} (naming
 * the setting and the value), and a missing required object with {@link NullPointerException}.
 */
public final class Option implements ServerOption, DialerOption {
    final Consumer<ConnSettings> apply;

    private Option(Consumer<ConnSettings> apply) {
        this.apply = apply;
    }

    /** A server-only setting (see {@link ServerOption}). */
    static final class ServerOnly implements ServerOption {
        final Consumer<ConnSettings> apply;

        ServerOnly(Consumer<ConnSettings> apply) {
            this.apply = apply;
        }
    }

    /** A dialer-only setting (see {@link DialerOption}). */
    static final class DialerOnly implements DialerOption {
        final Consumer<ConnSettings> apply;

        DialerOnly(Consumer<ConnSettings> apply) {
            this.apply = apply;
        }
    }

    /**
     * Bounds blocking reads of each connection (default: wait forever). {@code null} or zero also
     * means wait forever. Errors: {@link IllegalArgumentException} if negative.
     */
    public static Option readTimeout(@Nullable Duration d) {
        Duration t = timeout("readTimeout", d);
        return new Option(s -> s.readTimeout = t);
    }

    /**
     * Bounds a blocked {@code flush()} of each connection (default: wait forever). When a flush
     * has waited this long for a peer that does not read, the connection is closed, the flush
     * throws {@link WriteTimeoutException}, and {@link NetStats#writeTimeoutCloses()} counts it.
     * Does not apply to an {@link #inlineHandlers() inline} handler's flush, which never waits
     * (see {@link #maxOutputBuffer}).
     */
    public static Option writeTimeout(@Nullable Duration d) {
        Duration t = timeout("writeTimeout", d);
        return new Option(s -> s.writeTimeout = t);
    }

    /**
     * Closes connections without traffic for this long (default: never; {@code null} or zero:
     * never). Errors: {@link IllegalArgumentException} if negative.
     */
    public static Option idleTimeout(@Nullable Duration d) {
        Duration t = timeout("idleTimeout", d);
        return new Option(s -> s.idleTimeout = t);
    }

    private static @Nullable Duration timeout(String name, @Nullable Duration d) {
        if (d != null && d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
        return d == null || d.isZero() ? null : d;
    }

    /** TCP keep-alive on each connection (default: on). */
    public static Option tcpKeepAlive(boolean on) {
        return new Option(s -> s.keepAlive = on);
    }

    /** TCP_NODELAY on each connection (default: on, as in netpoll). */
    public static Option tcpNoDelay(boolean on) {
        return new Option(s -> s.noDelay = on);
    }

    /**
     * Bounds the unread input of each connection (default 64 MiB). At the limit the poller stops
     * reading that socket (the peer's writes then block) until the handler or reader consumes
     * data; a blocking read that asks for more than is buffered is always allowed to fill. A
     * handler that returns without consuming anything while the limit is reached cannot make
     * progress: its connection is closed.
     */
    public static Option maxInputBuffer(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("maxInputBuffer must be positive: " + bytes);
        }
        return new Option(s -> s.maxInputBytes = bytes);
    }

    /**
     * Limits the connections an {@link EventLoop} keeps open at once, over all its listeners
     * (default: no limit). A connection accepted while {@code max} are open
     * (counted until a closed connection has finished closing) is closed right after accept,
     * before {@link OnPrepare}, and counted in {@link NetStats#connectionsRejected()}; each
     * rejection is logged at DEBUG only, so a flood cannot flood the log. The client sees the
     * connection established, then closed (EOF).
     *
     * <p>Threading: the check runs on the acceptor's poller thread. Errors:
     * {@link IllegalArgumentException} if {@code max < 1}. Server-only.
     */
    public static ServerOption maxConnections(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConnections must be positive: " + max);
        }
        return new ServerOnly(s -> s.maxConnections = max);
    }

    /**
     * Bounds the unsent output of each connection where {@code flush()} cannot wait (default
     * 64 MiB). A {@code flush()} from a worker or any other thread sends everything before it
     * returns, waiting while the socket is full (up to the write timeout), so there the output
     * never grows beyond what the caller wrote since its last flush. A flush on the poller thread
     * (an {@link #inlineHandlers() inline} handler) never waits: the poller sends the rest when
     * the socket becomes writable. If the bytes still unsent after such a flush exceed this
     * limit, the peer is not reading: the connection is closed, the flush throws
     * {@link ConnectionClosedException}, and {@link NetStats#outputLimitCloses()} counts it.
     *
     * <p>Threading: read once per connection at creation. Errors: {@link IllegalArgumentException}
     * if {@code bytes < 1}.
     */
    public static Option maxOutputBuffer(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("maxOutputBuffer must be positive: " + bytes);
        }
        return new Option(s -> s.maxOutputBytes = bytes);
    }

    /**
     * SO_SNDBUF of each connection: the kernel's send buffer, which bounds what a {@code flush()}
     * hands to the socket before it has to wait for the peer (default: the OS's, tuned by
     * {@code net.ipv4.tcp_wmem} on Linux, which also disables the kernel's auto-tuning once set).
     * Event loops set it on each accepted socket, dialers before connecting. The OS may round or
     * cap the value ({@code net.core.wmem_max} on Linux).
     *
     * <p>Errors: {@link IllegalArgumentException} if {@code bytes < 1}.
     */
    public static Option sendBufferSize(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("sendBufferSize must be positive: " + bytes);
        }
        return new Option(s -> s.sendBufferSize = bytes);
    }

    /**
     * SO_RCVBUF of each connection: the kernel's receive buffer, which bounds the TCP window
     * advertised to the peer (default: the OS's, auto-tuned on Linux; setting it turns the
     * auto-tuning off for that socket). An event loop sets it on
     * each listener it serves, before accepting, so accepted sockets inherit it from the handshake
     * on (where the window scale is fixed), and again on each accepted socket (for connections
     * the kernel completed before {@code serve} began); a dialer sets it before connecting. The OS may round
     * or cap it ({@code net.core.rmem_max} on Linux).
     *
     * <p>Errors: {@link IllegalArgumentException} if {@code bytes < 1}.
     */
    public static Option receiveBufferSize(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("receiveBufferSize must be positive: " + bytes);
        }
        return new Option(s -> s.receiveBufferSize = bytes);
    }

    /**
     * A {@link Dialer}'s connect timeout for the calls that take none
     * ({@link Dialer#dialConnection(String, String)}, {@link Dialer#dialTCP(String,
     * java.net.InetSocketAddress, java.net.InetSocketAddress)}); a timeout passed to a call wins.
     * Default: none, the OS's own (about two minutes on Linux, after six SYN retransmissions).
     * {@code null} or zero also means none. Dialer-only.
     *
     * <p>Errors: {@link IllegalArgumentException} if {@code timeout} is negative.
     */
    public static DialerOption connectTimeout(@Nullable Duration timeout) {
        Duration t = timeout("connectTimeout", timeout);
        return new DialerOnly(s -> s.connectTimeout = t);
    }

    /**
     * Half-closure (Netty's {@code ALLOW_HALF_CLOSURE}; default off). Off: once the peer has
     * closed its side (FIN) and the handler has handled the bytes sent before it, the connection
     * closes. On: the peer's FIN only ends the input; the connection stays open for writing until
     * it is closed, or until {@link Connection#shutdownOutput()} has sent our FIN (then both
     * directions are done and it closes by itself). The handler learns of the FIN from
     * {@link Connection#isInputShutdown()}: after the FIN it is called at least once more, even
     * with nothing left to read, and a blocking read past the end throws
     * {@link EndOfStreamException} without closing the connection. A connection at EOF is still
     * closed by the idle timeout, the write timeout and the output limit, so a peer that
     * half-closes and never reads holds it no longer than one that stays open and never reads.
     *
     * <p>Threading: read once per connection at creation.
     */
    public static Option allowHalfClosure(boolean on) {
        return new Option(s -> s.halfClosure = on);
    }

    /** The pool connection buffers take memory from (default: {@link io.netpoll.buffer.BufferPool#defaultPool()}). */
    public static Option bufferPool(io.netpoll.buffer.BufferPool pool) {
        Objects.requireNonNull(pool, "pool");
        return new Option(s -> s.bufferPool = pool);
    }

    /**
     * Makes each accepted connection's context ({@link OnPrepare}); {@code null} removes it.
     * Server-only. The type {@code C} is not checked against the handler's: see {@link OnRequest}.
     */
    public static <C extends @Nullable Object> ServerOption onPrepare(@Nullable OnPrepare<C> onPrepare) {
        return new ServerOnly(s -> s.onPrepare = onPrepare);
    }

    /** Runs once per accepted connection before its first request ({@link OnConnect}); {@code null} removes it. Server-only. */
    public static <C extends @Nullable Object> ServerOption onConnect(@Nullable OnConnect<C> onConnect) {
        return new ServerOnly(s -> s.onConnect = onConnect);
    }

    /** Is told when the peer closed or reset a connection ({@link OnDisconnect}); {@code null} removes it. */
    public static <C extends @Nullable Object> Option onDisconnect(@Nullable OnDisconnect<C> onDisconnect) {
        return new Option(s -> s.onDisconnect = onDisconnect);
    }

    /**
     * Decides what an exception thrown by {@link OnRequest} or {@link OnConnect} does: a reply, a
     * quiet close, a log level, or keeping the connection open ({@link OnError},
     * {@link ErrorAction}); {@code null} removes it. Without a hook, an error the peer caused is
     * logged as one rate-limited line and counted in {@link NetStats#peerErrors()}, any other is
     * logged at WARNING with its stack trace and counted in {@link NetStats#handlerErrors()}; the
     * connection is closed either way.
     */
    public static <C extends @Nullable Object> Option onError(@Nullable OnError<C> onError) {
        return new Option(s -> s.onError = onError);
    }

    /**
     * Runs handlers (and close callbacks) on {@code executor} instead of the poller group's worker
     * pool. A handler that blocks in {@code next(n)} holds its thread, so a bounded executor
     * bounds the number of connections that may wait for a frame at once.
     */
    public static Option executor(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return new Option(s -> {
            s.executor = executor;
            s.mode = HandlerMode.WORKER;
        });
    }

    /**
     * Where handlers run (default {@link HandlerMode#ADAPTIVE}); see {@link HandlerMode}.
     * {@link HandlerMode#WORKER} uses the executor given by {@link #executor} if that option
     * comes later, else the poller group's worker pool.
     *
     * <p>Errors: {@link NullPointerException} if {@code mode} is null.
     */
    public static Option handlerMode(HandlerMode mode) {
        Objects.requireNonNull(mode, "mode");
        return new Option(s -> {
            s.mode = mode;
            if (mode != HandlerMode.WORKER) {
                s.executor = null;
            }
        });
    }

    /**
     * Same as {@code handlerMode(HandlerMode.INLINE)} (kept as an alias).
     * Runs handlers directly on the poller thread: no hand-off, for handlers
     * that never block. Such a handler must check {@code reader().len()} before taking bytes (a
     * read that would have to wait throws {@link IllegalStateException}), and its {@code flush()}
     * never waits: what the socket does not take is sent by the poller when it becomes writable.
     */
    public static Option inlineHandlers() {
        return handlerMode(HandlerMode.INLINE);
    }

    /** The poller group to register connections with (default: {@link Netpoll#defaultGroup()}). */
    public static Option pollerGroup(PollerGroup group) {
        Objects.requireNonNull(group, "group");
        return new Option(s -> s.group = group);
    }

    /**
     * TLS for every connection; {@code null} removes it. A server takes a
     * {@link io.netpoll.tls.TlsConfig#server server} config: the handshake runs on the poller
     * before {@link OnConnect} (delegated tasks on the worker pool). A dialer takes a
     * {@link io.netpoll.tls.TlsConfig#client client} config: a dial returns after the handshake
     * (host name verification against the host as dialed unless the config turns it off).
     * Either way the handlers see plaintext, with the same API in every {@link HandlerMode}.
     *
     * <p>Errors: {@link IllegalArgumentException} when it is applied to a server with a client
     * config or to a dialer with a server config.
     */
    public static Option tls(io.netpoll.tls.@Nullable TlsConfig config) {
        return new Option(s -> s.tls = config);
    }

    /** Applies one server setting (the sealed hierarchy has exactly these two kinds). */
    static void apply(ServerOption option, ConnSettings s) {
        Objects.requireNonNull(option, "option");
        if (option instanceof Option o) {
            o.apply.accept(s);
        } else {
            ((ServerOnly) option).apply.accept(s);
        }
        if (s.tls != null && !s.tls.isServer()) {
            s.tls = null;
            throw new IllegalArgumentException("a client TlsConfig on a server: use TlsConfig.server(...)");
        }
    }

    /** Applies one dialer setting. */
    static void apply(DialerOption option, ConnSettings s) {
        Objects.requireNonNull(option, "option");
        if (option instanceof Option o) {
            o.apply.accept(s);
        } else {
            ((DialerOnly) option).apply.accept(s);
        }
        if (s.tls != null && s.tls.isServer()) {
            s.tls = null;
            throw new IllegalArgumentException("a server TlsConfig on a dialer: use TlsConfig.client(...)");
        }
    }
}
