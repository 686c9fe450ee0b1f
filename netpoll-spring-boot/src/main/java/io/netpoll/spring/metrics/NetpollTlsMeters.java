package io.netpoll.spring.metrics;

import io.micrometer.common.docs.KeyName;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.docs.MeterDocumentation;
import io.netpoll.tls.TlsFailure;
import org.jspecify.annotations.Nullable;

import java.util.Locale;

/**
 * The TLS meters netpoll publishes for servers that speak TLS ({@code ssl.bundle}) and for a
 * dialer that does ({@code netpoll.dialer.ssl.bundle}): name, type, base unit, tags, meaning.
 * Registered by {@link NetpollTlsMetrics}, documented in docs/metrics.md. Every tag is bounded:
 * {@code server} is a configured server name, {@code outcome} is {@code success} or
 * {@code failure}, {@code reason} is a {@link TlsFailure} in lower case.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public enum NetpollTlsMeters implements MeterDocumentation {

    /**
     * TLS handshakes of a server that ended, by outcome.
     */
    SERVER_TLS_HANDSHAKES(
            "netpoll.server.tls.handshakes",
            Meter.Type.COUNTER,
            null,
            "TLS handshakes that ended, by outcome (success or failure)",
            TlsTags.SERVER,
            TlsTags.OUTCOME),

    /**
     * Completed TLS handshakes of a server and their total time (from accept to the handshake's end).
     */
    SERVER_TLS_HANDSHAKE_DURATION(
            "netpoll.server.tls.handshake.duration",
            Meter.Type.TIMER,
            "seconds",
            "Completed TLS handshakes and their time, from accept to the handshake's end",
            TlsTags.SERVER),

    /**
     * TLS failures of a server's connections, during or after the handshake, by reason.
     */
    SERVER_TLS_FAILURES(
            "netpoll.server.tls.failures",
            Meter.Type.COUNTER,
            null,
            "TLS failures, during or after the handshake, by reason",
            TlsTags.SERVER,
            TlsTags.REASON),

    /**
     * TLS handshakes of the dialer's connections that ended, by outcome.
     */
    DIALER_TLS_HANDSHAKES(
            "netpoll.dialer.tls.handshakes",
            Meter.Type.COUNTER,
            null,
            "TLS handshakes of client connections that ended, by outcome (success or failure)",
            TlsTags.OUTCOME),

    /**
     * Completed TLS handshakes of the dialer's connections and their total time (from the
     * connection's start to the handshake's end).
     */
    DIALER_TLS_HANDSHAKE_DURATION(
            "netpoll.dialer.tls.handshake.duration",
            Meter.Type.TIMER,
            "seconds",
            "Completed TLS handshakes of client connections and their time",
            new KeyName[0]),

    /**
     * TLS failures of the dialer's connections, by reason.
     */
    DIALER_TLS_FAILURES(
            "netpoll.dialer.tls.failures",
            Meter.Type.COUNTER,
            null,
            "TLS failures of client connections, during or after the handshake, by reason",
            TlsTags.REASON);

    /** The {@code outcome} of a completed handshake. */
    public static final String SUCCESS = "success";

    /** The {@code outcome} of a failed handshake. */
    public static final String FAILURE = "failure";

    private final String name;

    private final Meter.Type type;

    private final @Nullable String baseUnit;

    private final String description;

    private final KeyName[] keyNames;

    NetpollTlsMeters(String name, Meter.Type type, @Nullable String baseUnit, String description, KeyName... keyNames) {
        this.name = name;
        this.type = type;
        this.baseUnit = baseUnit;
        this.description = description;
        this.keyNames = keyNames;
    }

    @Override
    public String getName() {
        return this.name;
    }

    @Override
    public Meter.Type getType() {
        return this.type;
    }

    @Override
    public @Nullable String getBaseUnit() {
        return this.baseUnit;
    }

    @Override
    public KeyName[] getKeyNames() {
        return this.keyNames.clone();
    }

    /**
     * What the meter measures.
     * @return the description
     */
    public String description() {
        return this.description;
    }

    /**
     * The {@code reason} tag value of a failure: its name in lower case ({@code peer_closed}).
     * @param failure the failure
     * @return the tag value
     */
    public static String reason(TlsFailure failure) {
        return failure.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Tags of the TLS meters.
     */
    public enum TlsTags implements KeyName {

        /**
         * Configured server name ({@code default} or a key of {@code netpoll.servers}).
         */
        SERVER("server"),

        /**
         * {@code success} or {@code failure}.
         */
        OUTCOME("outcome"),

        /**
         * A {@link TlsFailure} in lower case: {@code timeout}, {@code certificate},
         * {@code protocol}, {@code truncation}, {@code renegotiation}, {@code peer_closed}.
         */
        REASON("reason");

        private final String key;

        TlsTags(String key) {
            this.key = key;
        }

        @Override
        public String asString() {
            return this.key;
        }
    }
}
