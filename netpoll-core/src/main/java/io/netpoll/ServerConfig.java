package io.netpoll;

import io.netpoll.internal.ConnSettings;
import org.jspecify.annotations.Nullable;

/**
 * The immutable settings of an {@link EventLoop}: what {@link Netpoll#newEventLoop(OnRequest,
 * ServerOption...)} builds from its options, or what {@link #builder()} builds with typed
 * setters. The settings every connection has are inherited from {@link ConnectionConfig}; the
 * server-only ones ({@link #maxConnections()}, {@link #onPrepare()}, {@link #onConnect()}) are
 * here, and a dialer's ({@link Option#connectTimeout}) are not, so a misplaced setting does not
 * compile:
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
public final class ServerConfig extends ConnectionConfig {
    private static final ServerConfig DEFAULTS = new ServerConfig(new ConnSettings());

    private ServerConfig(ConnSettings settings) {
        super(settings);
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

    @Override
    public Builder toBuilder() {
        return new Builder(settings.copy());
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

    @Override
    public String toString() {
        return "ServerConfig[readTimeout=" + readTimeout() + ", writeTimeout=" + writeTimeout()
                + ", idleTimeout=" + idleTimeout() + ", maxConnections=" + maxConnections()
                + ", maxInputBuffer=" + maxInputBuffer() + ", maxOutputBuffer=" + maxOutputBuffer()
                + ", handlerMode=" + handlerMode() + (settings.tls != null ? ", tls=" + settings.tls : "") + "]";
    }

    /**
     * Builds a {@link ServerConfig}: the setters of every connection ({@link ConnectionConfig.Builder})
     * and the server-only ones; each setter is the {@link Option} factory of the same name.
     * Not thread-safe; {@link #build()} snapshots, so a builder can go on to build another config.
     */
    public static final class Builder extends ConnectionConfig.Builder<Builder> {
        private Builder(ConnSettings settings) {
            super(settings);
        }

        @Override
        Builder set(Option option) {
            return apply(option);
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

        @Override
        public ServerConfig build() {
            settings.checkCombination();
            return new ServerConfig(settings.copy());
        }
    }
}
