package io.netpoll;

import io.netpoll.buffer.BufferPool;
import io.netpoll.internal.ConnSettings;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The immutable settings of an {@link EventLoop}: what {@link Netpoll#newEventLoop(OnRequest,
 * ServerOption...)} builds from its options, or what {@link #builder()} builds with typed
 * setters. Only server settings exist here ({@link Option#connectTimeout} is a dialer's), so a
 * misplaced setting does not compile:
 * <pre>{@code
 * ServerConfig config = ServerConfig.builder()
 *         .readTimeout(Duration.ofSeconds(1))
 *         .maxConnections(10_000)
 *         .onPrepare(conn -> new Session())
 *         .build();
 * EventLoop loop = Netpoll.newEventLoop(handler, config);
 * }</pre>
 *
 * <p>Threading: a config is immutable and thread-safe; a {@link Builder} is for one thread.
 * Errors: every setter validates at once, with the {@link Option} factory of the same name
 * ({@link IllegalArgumentException} naming the setting and the bad value).
 */
public final class ServerConfig {
    private static final ServerConfig DEFAULTS = new ServerConfig(new ConnSettings());

    private final ConnSettings settings;

    private ServerConfig(ConnSettings settings) {
        this.settings = settings;
    }

    /** The defaults (every setting unset). */
    public static ServerConfig defaults() {
        return DEFAULTS;
    }

    /** A config of {@code options}, applied in order to the defaults. */
    public static ServerConfig of(ServerOption... options) {
        return builder().apply(options).build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder(new ConnSettings());
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder(settings.copy());
    }

    /** Read by the event loop; never changed. */
    ConnSettings settings() {
        return settings;
    }

    /** The read timeout, or {@code null}: reads wait forever. */
    public @Nullable Duration readTimeout() {
        return settings.readTimeout;
    }

    /** The write timeout, or {@code null}: a blocked flush waits forever. */
    public @Nullable Duration writeTimeout() {
        return settings.writeTimeout;
    }

    /** The idle timeout, or {@code null}: never closed for idleness. */
    public @Nullable Duration idleTimeout() {
        return settings.idleTimeout;
    }

    /** SO_KEEPALIVE of each TCP connection (default true). */
    public boolean tcpKeepAlive() {
        return settings.keepAlive;
    }

    /** TCP_NODELAY of each TCP connection (default true). */
    public boolean tcpNoDelay() {
        return settings.noDelay;
    }

    /** The input limit in bytes (default 64 MiB). */
    public int maxInputBuffer() {
        return settings.maxInputBytes;
    }

    /** The output limit in bytes for flushes that cannot wait (default 64 MiB). */
    public int maxOutputBuffer() {
        return settings.maxOutputBytes;
    }

    /** SO_SNDBUF in bytes, or 0: the OS's. */
    public int sendBufferSize() {
        return settings.sendBufferSize;
    }

    /** SO_RCVBUF in bytes, or 0: the OS's. */
    public int receiveBufferSize() {
        return settings.receiveBufferSize;
    }

    /** Half-closure ({@link Option#allowHalfClosure}; default false). */
    public boolean allowHalfClosure() {
        return settings.halfClosure;
    }

    /** The buffer pool, or {@code null}: {@link BufferPool#defaultPool()}. */
    public @Nullable BufferPool bufferPool() {
        return settings.bufferPool;
    }

    /** The handlers' executor, or {@code null}: the poller group's worker pool (or the poller, inline). */
    public @Nullable Executor executor() {
        return settings.executor;
    }

    /** Where handlers run ({@link Option#handlerMode}); {@link HandlerMode#ADAPTIVE} by default. */
    public HandlerMode handlerMode() {
        return settings.mode;
    }

    /** The poller group, or {@code null}: {@link Netpoll#defaultGroup()}. */
    public @Nullable PollerGroup pollerGroup() {
        return (PollerGroup) settings.group;
    }

    /** The {@link OnDisconnect} callback, or {@code null}. */
    public @Nullable OnDisconnect<?> onDisconnect() {
        return settings.onDisconnect;
    }

    /** The error hook, or {@code null}: the default handling ({@link Option#onError}). */
    public @Nullable OnError<?> onError() {
        return settings.onError;
    }

    /** The connection limit, or 0: none. */
    public int maxConnections() {
        return settings.maxConnections;
    }

    /** The {@link OnPrepare} callback, or {@code null}. */
    public @Nullable OnPrepare<?> onPrepare() {
        return settings.onPrepare;
    }

    /** The {@link OnConnect} callback, or {@code null}. */
    public @Nullable OnConnect<?> onConnect() {
        return settings.onConnect;
    }

    /** The TLS config of every connection, or {@code null}: plaintext ({@link Option#tls}). */
    public io.netpoll.tls.@Nullable TlsConfig tls() {
        return settings.tls;
    }

    @Override
    public String toString() {
        return "ServerConfig[readTimeout=" + readTimeout() + ", writeTimeout=" + writeTimeout()
                + ", idleTimeout=" + idleTimeout() + ", maxConnections=" + maxConnections()
                + ", maxInputBuffer=" + maxInputBuffer() + ", maxOutputBuffer=" + maxOutputBuffer()
                + ", handlerMode=" + handlerMode() + (settings.tls != null ? ", tls=" + settings.tls : "") + "]";
    }

    /**
     * Builds a {@link ServerConfig}; each setter is the {@link Option} factory of the same name.
     * Not thread-safe; {@link #build()} snapshots, so a builder can go on to build another config.
     */
    public static final class Builder {
        private final ConnSettings settings;

        private Builder(ConnSettings settings) {
            this.settings = settings;
        }

        /** See {@link Option#readTimeout}. */
        public Builder readTimeout(@Nullable Duration timeout) {
            return apply(Option.readTimeout(timeout));
        }

        /** See {@link Option#writeTimeout}. */
        public Builder writeTimeout(@Nullable Duration timeout) {
            return apply(Option.writeTimeout(timeout));
        }

        /** See {@link Option#idleTimeout}. */
        public Builder idleTimeout(@Nullable Duration timeout) {
            return apply(Option.idleTimeout(timeout));
        }

        /** See {@link Option#tcpKeepAlive}. */
        public Builder tcpKeepAlive(boolean on) {
            return apply(Option.tcpKeepAlive(on));
        }

        /** See {@link Option#tcpNoDelay}. */
        public Builder tcpNoDelay(boolean on) {
            return apply(Option.tcpNoDelay(on));
        }

        /** See {@link Option#maxInputBuffer}. */
        public Builder maxInputBuffer(int bytes) {
            return apply(Option.maxInputBuffer(bytes));
        }

        /** See {@link Option#maxOutputBuffer}. */
        public Builder maxOutputBuffer(int bytes) {
            return apply(Option.maxOutputBuffer(bytes));
        }

        /** See {@link Option#sendBufferSize}. */
        public Builder sendBufferSize(int bytes) {
            return apply(Option.sendBufferSize(bytes));
        }

        /** See {@link Option#receiveBufferSize}. */
        public Builder receiveBufferSize(int bytes) {
            return apply(Option.receiveBufferSize(bytes));
        }

        /** See {@link Option#allowHalfClosure}. */
        public Builder allowHalfClosure(boolean on) {
            return apply(Option.allowHalfClosure(on));
        }

        /** See {@link Option#bufferPool}. */
        public Builder bufferPool(BufferPool pool) {
            return apply(Option.bufferPool(pool));
        }

        /** See {@link Option#executor}. */
        public Builder executor(Executor executor) {
            return apply(Option.executor(executor));
        }

        /** See {@link Option#handlerMode}. */
        public Builder handlerMode(HandlerMode mode) {
            return apply(Option.handlerMode(mode));
        }

        /** See {@link Option#pollerGroup}. */
        public Builder pollerGroup(PollerGroup group) {
            return apply(Option.pollerGroup(group));
        }

        /** See {@link Option#onDisconnect}. */
        public <C extends @Nullable Object> Builder onDisconnect(@Nullable OnDisconnect<C> onDisconnect) {
            return apply(Option.onDisconnect(onDisconnect));
        }

        /** See {@link Option#onError}. */
        public <C extends @Nullable Object> Builder onError(@Nullable OnError<C> onError) {
            return apply(Option.onError(onError));
        }

        /** See {@link Option#tls}. */
        public Builder tls(io.netpoll.tls.@Nullable TlsConfig config) {
            return apply(Option.tls(config));
        }

        /** Applies {@code options} in order (the last one of a kind wins). */
        public Builder apply(ServerOption... options) {
            for (ServerOption o : options) {
                Option.apply(o, settings);
            }
            return this;
        }

        /** See {@link Option#maxConnections}. */
        public Builder maxConnections(int max) {
            return apply(Option.maxConnections(max));
        }

        /** See {@link Option#onPrepare}. */
        public <C extends @Nullable Object> Builder onPrepare(@Nullable OnPrepare<C> onPrepare) {
            return apply(Option.onPrepare(onPrepare));
        }

        /** See {@link Option#onConnect}. */
        public <C extends @Nullable Object> Builder onConnect(@Nullable OnConnect<C> onConnect) {
            return apply(Option.onConnect(onConnect));
        }

        /** An immutable config of the settings so far. */
        public ServerConfig build() {
            settings.checkCombination();
            return new ServerConfig(settings.copy());
        }
    }
}
