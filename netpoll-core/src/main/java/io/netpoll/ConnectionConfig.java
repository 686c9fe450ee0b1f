package io.netpoll;

import io.netpoll.buffer.BufferPool;
import io.netpoll.internal.ConnSettings;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The settings every connection has, whichever side made it: the common part of
 * {@link ServerConfig} and {@link DialerConfig}, and the only two kinds there are (sealed). Code
 * that reads or sets only these settings can serve both sides:
 * <pre>{@code
 * static <B extends ConnectionConfig.Builder<B>> B timeouts(B builder) {
 *     return builder.readTimeout(Duration.ofSeconds(5)).idleTimeout(Duration.ofMinutes(1));
 * }
 * ServerConfig server = timeouts(ServerConfig.builder()).maxConnections(1000).build();
 * DialerConfig dialer = timeouts(DialerConfig.builder()).connectTimeout(Duration.ofSeconds(2)).build();
 * }</pre>
 * A side's own settings ({@link ServerConfig#maxConnections()}, {@link DialerConfig#connectTimeout()}
 * and their setters) are only on that side's types, so a misplaced setting does not compile.
 *
 * <p>Threading: a config is immutable and thread-safe; a {@link Builder} is for one thread.
 * Errors: every setter validates at once, with the {@link Option} factory of the same name
 * ({@link IllegalArgumentException} naming the setting and the bad value).
 */
public abstract sealed class ConnectionConfig permits ServerConfig, DialerConfig {
    final ConnSettings settings;

    ConnectionConfig(ConnSettings settings) {
        this.settings = settings;
    }

    /** Read by the event loop or dialer; never changed. */
    final ConnSettings settings() {
        return settings;
    }

    /** A builder starting from this config. */
    public abstract Builder<?> toBuilder();

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

    /** The TLS config of every connection, or {@code null}: plaintext ({@link Option#tls}). */
    public io.netpoll.tls.@Nullable TlsConfig tls() {
        return settings.tls;
    }

    /**
     * Builds a {@link ServerConfig} or a {@link DialerConfig}: the setters every connection has,
     * each the {@link Option} factory of the same name, returning the concrete builder {@code B}
     * so that chains go on with that side's own setters. Not thread-safe; {@code build()}
     * snapshots, so a builder can go on to build another config.
     *
     * @param <B> the concrete builder ({@link ServerConfig.Builder} or {@link DialerConfig.Builder})
     */
    public abstract static sealed class Builder<B extends Builder<B>>
            permits ServerConfig.Builder, DialerConfig.Builder {
        final ConnSettings settings;

        Builder(ConnSettings settings) {
            this.settings = settings;
        }

        /** Applies one shared option with this side's checks (a TLS config of the right mode). */
        abstract B set(Option option);

        /** See {@link Option#readTimeout}. */
        public B readTimeout(@Nullable Duration timeout) {
            return set(Option.readTimeout(timeout));
        }

        /** See {@link Option#writeTimeout}. */
        public B writeTimeout(@Nullable Duration timeout) {
            return set(Option.writeTimeout(timeout));
        }

        /** See {@link Option#idleTimeout}. */
        public B idleTimeout(@Nullable Duration timeout) {
            return set(Option.idleTimeout(timeout));
        }

        /** See {@link Option#tcpKeepAlive}. */
        public B tcpKeepAlive(boolean on) {
            return set(Option.tcpKeepAlive(on));
        }

        /** See {@link Option#tcpNoDelay}. */
        public B tcpNoDelay(boolean on) {
            return set(Option.tcpNoDelay(on));
        }

        /** See {@link Option#maxInputBuffer}. */
        public B maxInputBuffer(int bytes) {
            return set(Option.maxInputBuffer(bytes));
        }

        /** See {@link Option#maxOutputBuffer}. */
        public B maxOutputBuffer(int bytes) {
            return set(Option.maxOutputBuffer(bytes));
        }

        /** See {@link Option#sendBufferSize}. */
        public B sendBufferSize(int bytes) {
            return set(Option.sendBufferSize(bytes));
        }

        /** See {@link Option#receiveBufferSize}. */
        public B receiveBufferSize(int bytes) {
            return set(Option.receiveBufferSize(bytes));
        }

        /** See {@link Option#allowHalfClosure}. */
        public B allowHalfClosure(boolean on) {
            return set(Option.allowHalfClosure(on));
        }

        /** See {@link Option#bufferPool}. */
        public B bufferPool(BufferPool pool) {
            return set(Option.bufferPool(pool));
        }

        /** See {@link Option#executor}. */
        public B executor(Executor executor) {
            return set(Option.executor(executor));
        }

        /** See {@link Option#handlerMode}. */
        public B handlerMode(HandlerMode mode) {
            return set(Option.handlerMode(mode));
        }

        /** See {@link Option#pollerGroup}. */
        public B pollerGroup(PollerGroup group) {
            return set(Option.pollerGroup(group));
        }

        /** See {@link Option#onDisconnect}. */
        public <C extends @Nullable Object> B onDisconnect(@Nullable OnDisconnect<C> onDisconnect) {
            return set(Option.onDisconnect(onDisconnect));
        }

        /** See {@link Option#onError}. */
        public <C extends @Nullable Object> B onError(@Nullable OnError<C> onError) {
            return set(Option.onError(onError));
        }

        /** See {@link Option#tls}. */
        public B tls(io.netpoll.tls.@Nullable TlsConfig config) {
            return set(Option.tls(config));
        }

        /** An immutable config of the settings so far. */
        public abstract ConnectionConfig build();
    }
}
