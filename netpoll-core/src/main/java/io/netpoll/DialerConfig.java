package io.netpoll;

import io.netpoll.internal.ConnSettings;
import org.jspecify.annotations.Nullable;

import java.time.Duration;

/**
 * The immutable settings of a {@link Dialer}: what {@link Netpoll#newDialer(DialerOption...)}
 * builds from its options, or what {@link #builder()} builds with typed setters. The settings
 * every connection has are inherited from {@link ConnectionConfig}; the dialer-only one
 * ({@link #connectTimeout()}) is here, and a server's ({@link Option#maxConnections},
 * {@link Option#onPrepare}, {@link Option#onConnect}) are not, so a misplaced setting does not
 * compile:
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
public final class DialerConfig extends ConnectionConfig {
    private static final DialerConfig DEFAULTS = new DialerConfig(new ConnSettings());

    private DialerConfig(ConnSettings settings) {
        super(settings);
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

    @Override
    public Builder toBuilder() {
        return new Builder(settings.copy());
    }

    /** The connect timeout of the calls that take none, or {@code null}: the OS's. */
    public @Nullable Duration connectTimeout() {
        return settings.connectTimeout;
    }

    @Override
    public String toString() {
        return "DialerConfig[connectTimeout=" + connectTimeout() + ", readTimeout=" + readTimeout()
                + ", writeTimeout=" + writeTimeout() + ", idleTimeout=" + idleTimeout()
                + ", maxInputBuffer=" + maxInputBuffer() + ", maxOutputBuffer=" + maxOutputBuffer()
                + ", handlerMode=" + handlerMode() + (settings.tls != null ? ", tls=" + settings.tls : "") + "]";
    }

    /**
     * Builds a {@link DialerConfig}: the setters of every connection ({@link ConnectionConfig.Builder})
     * and the dialer-only one; each setter is the {@link Option} factory of the same name.
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

        @Override
        public DialerConfig build() {
            settings.checkCombination();
            return new DialerConfig(settings.copy());
        }
    }
}
