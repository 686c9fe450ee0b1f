package io.netpoll;

import io.netpoll.buffer.BufferPool;
import io.netpoll.internal.ConnSettings;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The immutable settings of a {@link Dialer}: what {@link Netpoll#newDialer(DialerOption...)}
 * builds from its options, or what {@link #builder()} builds with typed setters. Only dialer
 * settings exist here (no {@link Option#maxConnections}, {@link Option#onPrepare},
 * {@link Option#onConnect}: those are a server's), so a misplaced setting does not compile:
 * <pre>{@code
 * Dialer dialer = Netpoll.newDialer(DialerConfig.builder()
 *         .connectTimeout(Duration.ofSeconds(2))
 *         .readTimeout(Duration.ofSeconds(5))
 *         .build());
 * }</pre>
 *
 * <p>Threading: a config is immutable and thread-safe; a {@link Builder} is for one thread.
 * Errors: every setter validates at once, with the {@link Option} factory of the same name
 * ({@link IllegalArgumentException} naming the setting and the bad value).
 */
public final class DialerConfig {
    private static final DialerConfig DEFAULTS = new DialerConfig(new ConnSettings());

    private final ConnSettings settings;

    private DialerConfig(ConnSettings settings) {
        this.settings = settings;
    }

    /** The defaults (every setting unset). */
    public static DialerConfig defaults() {
        return DEFAULTS;
    }

    /** A config of {@code options}, applied in order to the defaults. */
    public static DialerConfig of(DialerOption... options) {
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

    /** Read by the dialer; never changed. */
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

    /** The connect timeout of the calls that take none, or {@code null}: the OS's. */
    public @Nullable Duration connectTimeout() {
        return settings.connectTimeout;
    }

    /** The TLS config of every connection, or {@code null}: plaintext ({@link Option#tls}). */
    public io.netpoll.tls.@Nullable TlsConfig tls() {
        return settings.tls;
    }

    @Override
    public String toString() {
        return "DialerConfig[connectTimeout=" + connectTimeout() + ", readTimeout=" + readTimeout()
                + ", writeTimeout=" + writeTimeout() + ", idleTimeout=" + idleTimeout()
                + ", maxInputBuffer=" + maxInputBuffer() + ", maxOutputBuffer=" + maxOutputBuffer()
                + ", handlerMode=" + handlerMode() + (settings.tls != null ? ", tls=" + settings.tls : "") + "]";
    }

    /**
     * Builds a {@link DialerConfig}; each setter is the {@link Option} factory of the same name.
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
        public Builder apply(DialerOption... options) {
            for (DialerOption o : options) {
                Option.apply(o, settings);
            }
            return this;
        }

        /** See {@link Option#connectTimeout}. */
        public Builder connectTimeout(@Nullable Duration timeout) {
            return apply(Option.connectTimeout(timeout));
        }

        /** An immutable config of the settings so far. */
        public DialerConfig build() {
            settings.checkCombination();
            return new DialerConfig(settings.copy());
        }
    }
}
