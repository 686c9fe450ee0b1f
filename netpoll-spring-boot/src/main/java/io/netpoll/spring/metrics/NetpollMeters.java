package io.netpoll.spring.metrics;

import io.micrometer.common.docs.KeyName;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.docs.MeterDocumentation;
import io.netpoll.tls.TlsFailure;
import org.jspecify.annotations.Nullable;

import java.util.Locale;

/**
 * Every meter netpoll publishes: name, type, base unit, tags and meaning. Server meters carry
 * the {@code server} tag (the configured server name: bounded); no meter is tagged with peer
 * addresses or connection ids.
 * <p>
 * Names follow Micrometer's convention: a name does not repeat its base unit, which registries
 * append ({@code netpoll.server.data.received}, bytes, is {@code netpoll_server_data_received_bytes_total}
 * in Prometheus, as Reactor Netty's {@code reactor.netty.tcp.server.data.received}); meters
 * whose name already says what they count ({@code connections.*}, {@code tasks.pending}) have
 * no base unit.
 * <p>
 * The TLS meters ({@code netpoll.server.tls.*}, {@code netpoll.dialer.tls.*}) exist only for a
 * server that speaks TLS ({@code ssl.bundle}) and a dialer that does
 * ({@code netpoll.dialer.ssl.bundle}); their tags are bounded too ({@link TlsTags}).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public enum NetpollMeters implements MeterDocumentation {

    /**
     * Connections open now.
     */
    SERVER_CONNECTIONS_ACTIVE(
            "netpoll.server.connections.active", Meter.Type.GAUGE, null, "Connections open now", ServerTags.SERVER),

    /**
     * Most open connections allowed ({@code max-connections}); only when it is set.
     */
    SERVER_CONNECTIONS_MAX(
            "netpoll.server.connections.max",
            Meter.Type.GAUGE,
            null,
            "Most open connections allowed (max-connections)",
            ServerTags.SERVER),

    /**
     * Connections accepted since start.
     */
    SERVER_CONNECTIONS_ACCEPTED(
            "netpoll.server.connections.accepted", Meter.Type.COUNTER, null, "Connections accepted", ServerTags.SERVER),

    /**
     * Accepted connections closed at once: max-connections reached, OnPrepare failed, shutdown
     * in progress, or setup failed.
     */
    SERVER_CONNECTIONS_REJECTED(
            "netpoll.server.connections.rejected",
            Meter.Type.COUNTER,
            null,
            "Accepted connections closed at once (max-connections, OnPrepare failure, shutdown)",
            ServerTags.SERVER),

    /**
     * Connections closed because their unsent output exceeded netpoll-core's
     * {@code Option.maxOutputBuffer} (an inline handler answering a peer that does not read).
     */
    SERVER_CONNECTIONS_OUTPUT_LIMIT(
            "netpoll.server.connections.output.limit",
            Meter.Type.COUNTER,
            null,
            "Connections closed because unsent output exceeded the output limit",
            ServerTags.SERVER),

    /**
     * Connections closed because a flush waited longer than the write timeout
     * ({@code connection.write-timeout}) for a peer that does not read.
     */
    SERVER_CONNECTIONS_WRITE_TIMEOUT(
            "netpoll.server.connections.write.timeout",
            Meter.Type.COUNTER,
            null,
            "Connections closed because a flush exceeded the write timeout",
            ServerTags.SERVER),

    /**
     * Bytes read from the server's connections.
     */
    SERVER_DATA_RECEIVED(
            "netpoll.server.data.received",
            Meter.Type.COUNTER,
            BaseUnits.BYTES,
            "Bytes read from connections",
            ServerTags.SERVER),

    /**
     * Bytes written to the server's connections.
     */
    SERVER_DATA_SENT(
            "netpoll.server.data.sent",
            Meter.Type.COUNTER,
            BaseUnits.BYTES,
            "Bytes written to connections",
            ServerTags.SERVER),

    /**
     * OnRequest calls running now (the drain indicator at shutdown).
     */
    SERVER_REQUESTS_ACTIVE(
            "netpoll.server.requests.active", Meter.Type.GAUGE, null, "OnRequest calls running now", ServerTags.SERVER),

    /**
     * OnRequest calls since start.
     */
    SERVER_HANDLER_CALLS(
            "netpoll.server.handler.calls", Meter.Type.COUNTER, null, "OnRequest calls", ServerTags.SERVER),

    /**
     * Exceptions thrown by OnRequest or OnConnect, as counted by netpoll-core; each closed its
     * connection.
     */
    SERVER_HANDLER_ERRORS(
            "netpoll.server.handler.errors",
            Meter.Type.COUNTER,
            null,
            "Exceptions thrown by OnRequest or OnConnect; each closed its connection",
            ServerTags.SERVER),

    /**
     * Exceptions thrown by OnRequest or OnConnect that the peer caused (read timeout, reset, a
     * failed dial upstream); not counted in {@link #SERVER_HANDLER_ERRORS}.
     */
    SERVER_PEER_ERRORS(
            "netpoll.server.peer.errors",
            Meter.Type.COUNTER,
            null,
            "Exceptions thrown by OnRequest or OnConnect that the peer caused (read timeout, reset, failed dial upstream)",
            ServerTags.SERVER),

    /**
     * Adaptive connections moved off their poller to the offload pool because a handler call
     * went on blocking outside netpoll after the monitor took the poller's role
     * ({@code NetStats.handlersOffloaded}).
     */
    SERVER_HANDLERS_OFFLOADED(
            "netpoll.server.handlers.offloaded",
            Meter.Type.COUNTER,
            null,
            "Adaptive connections moved to the offload pool because their handler blocked outside netpoll",
            ServerTags.SERVER),

    /**
     * Offloaded connections that went back to their poller after 64 quick calls in a row
     * ({@code NetStats.handlersReadmitted}).
     */
    SERVER_HANDLERS_READMITTED(
            "netpoll.server.handlers.readmitted",
            Meter.Type.COUNTER,
            null,
            "Offloaded connections back on their poller after 64 quick calls in a row",
            ServerTags.SERVER),

    /**
     * Exceptions thrown by OnRequest, by exception type (registered at the first error).
     */
    SERVER_ERRORS(
            "netpoll.server.errors",
            Meter.Type.COUNTER,
            null,
            "Exceptions thrown by the OnRequest handler, by type; each closed its connection",
            ServerTags.SERVER,
            ServerTags.EXCEPTION),

    /**
     * Duration of each OnRequest call; only when {@code netpoll.metrics.requests.enabled=true}.
     */
    SERVER_REQUESTS(
            "netpoll.server.requests",
            Meter.Type.TIMER,
            "seconds",
            "Duration of OnRequest calls (opt-in: netpoll.metrics.requests.enabled)",
            ServerTags.SERVER,
            ServerTags.OUTCOME,
            ServerTags.EXCEPTION),

    /**
     * TLS handshakes of a server that ended, by outcome; only for a server that speaks TLS.
     */
    SERVER_TLS_HANDSHAKES(
            "netpoll.server.tls.handshakes",
            Meter.Type.COUNTER,
            null,
            "TLS handshakes that ended, by outcome (success or failure)",
            ServerTags.SERVER,
            TlsTags.OUTCOME),

    /**
     * Completed TLS handshakes of a server and their total time (from accept to the handshake's end).
     */
    SERVER_TLS_HANDSHAKE_DURATION(
            "netpoll.server.tls.handshake.duration",
            Meter.Type.TIMER,
            "seconds",
            "Completed TLS handshakes and their time, from accept to the handshake's end",
            ServerTags.SERVER),

    /**
     * TLS failures of a server's connections, during or after the handshake, by reason.
     */
    SERVER_TLS_FAILURES(
            "netpoll.server.tls.failures",
            Meter.Type.COUNTER,
            null,
            "TLS failures, during or after the handshake, by reason",
            ServerTags.SERVER,
            TlsTags.REASON),

    /**
     * Poller threads running.
     */
    POLLER_COUNT("netpoll.poller.count", Meter.Type.GAUGE, BaseUnits.THREADS, "Poller threads running"),

    /**
     * Tasks queued for a poller and not yet run, per poller.
     */
    POLLER_TASKS_PENDING(
            "netpoll.poller.tasks.pending",
            Meter.Type.GAUGE,
            null,
            "Tasks queued for the poller (registrations, closes, write interest)",
            PollerTags.POLLER),

    /**
     * Time from a task being queued for a poller to it running (a probe task per scrape), per
     * poller; a poller held up by a handler or task shows a growing lag.
     */
    POLLER_LOOP_LAG(
            "netpoll.poller.loop.lag",
            Meter.Type.GAUGE,
            "seconds",
            "Time from a task being queued for the poller to it running",
            PollerTags.POLLER),

    /**
     * Channels registered with the pollers (connections and listeners).
     */
    POLLER_REGISTRATIONS(
            "netpoll.poller.registrations",
            Meter.Type.GAUGE,
            null,
            "Channels (connections and listeners) registered with the pollers"),

    /**
     * Selectors rebuilt because they returned early without events (the JDK epoll spin bug).
     */
    POLLER_SELECTOR_REBUILDS(
            "netpoll.poller.selector.rebuilds",
            Meter.Type.COUNTER,
            null,
            "Selectors rebuilt after spinning without events"),

    /**
     * Adaptive handler calls and worker tasks (worker mode, offload pool) that held their thread
     * longer than the blocked-thread threshold (each logged with its stack at most once per 10 s).
     */
    HANDLER_BLOCKED(
            "netpoll.handler.blocked",
            Meter.Type.COUNTER,
            null,
            "Handler calls that held their thread longer than the blocked-thread threshold"),

    /**
     * Times a poller's role moved to a spare thread because a handler blocked or waited.
     */
    POLLER_HANDOFFS(
            "netpoll.poller.handoffs",
            Meter.Type.COUNTER,
            null,
            "Poller roles taken over by a spare thread from a handler that blocked or waited"),

    /**
     * Threads that can hold a poller role (pollers, spares, threads finishing a blocked handler).
     */
    POLLER_THREADS(
            "netpoll.poller.threads",
            Meter.Type.GAUGE,
            null,
            "Threads that can hold a poller role: pollers, spares, threads finishing a blocked handler"),

    /**
     * Threads of the offload pool, which runs adaptive connections whose handlers block (grown by
     * the monitor when its threads block, up to {@code -Dnetpoll.handler.maxOffloadThreads}).
     */
    HANDLER_OFFLOAD_THREADS(
            "netpoll.handler.offload.threads",
            Meter.Type.GAUGE,
            null,
            "Threads of the offload pool that runs adaptive connections whose handlers block"),

    /**
     * Buffer memory handed out to connections and not yet returned.
     */
    BUFFER_MEMORY_USED(
            "netpoll.buffer.memory.used",
            Meter.Type.GAUGE,
            BaseUnits.BYTES,
            "Buffer memory in use by connections",
            BufferTags.MEMORY_TYPE),

    /**
     * Free buffer memory kept for reuse.
     */
    BUFFER_MEMORY_POOLED(
            "netpoll.buffer.memory.pooled",
            Meter.Type.GAUGE,
            BaseUnits.BYTES,
            "Free buffer memory kept for reuse",
            BufferTags.MEMORY_TYPE),

    /**
     * Ceiling of the pooled buffer memory.
     */
    BUFFER_MEMORY_MAX(
            "netpoll.buffer.memory.max",
            Meter.Type.GAUGE,
            BaseUnits.BYTES,
            "Ceiling of the free buffer memory kept for reuse",
            BufferTags.MEMORY_TYPE),

    /**
     * The budget on all direct memory the buffer pool holds ({@code netpoll.buffer.max-direct-memory}).
     */
    BUFFER_MEMORY_BUDGET(
            "netpoll.buffer.memory.budget",
            Meter.Type.GAUGE,
            BaseUnits.BYTES,
            "Budget on the direct memory the buffer pool holds, in use and free",
            BufferTags.MEMORY_TYPE),

    /**
     * Direct memory the buffer pool holds, in use and free, counted against the budget.
     */
    BUFFER_MEMORY_RESERVED(
            "netpoll.buffer.memory.reserved",
            Meter.Type.GAUGE,
            BaseUnits.BYTES,
            "Direct memory the buffer pool holds, in use and free",
            BufferTags.MEMORY_TYPE),

    /**
     * Requests for buffer memory refused at the budget: a connection's reads paused, or a
     * handler's write failed.
     */
    BUFFER_BUDGET_REFUSALS(
            "netpoll.buffer.budget.refusals",
            Meter.Type.COUNTER,
            null,
            "Requests for buffer memory refused at the budget (reads paused, writes failed)"),

    /**
     * Free buffer memory given back because it stayed unused for the decay interval.
     */
    BUFFER_MEMORY_DECAYED(
            "netpoll.buffer.memory.decayed",
            Meter.Type.COUNTER,
            BaseUnits.BYTES,
            "Free buffer memory given back after staying unused for the decay interval",
            BufferTags.MEMORY_TYPE),

    /**
     * Buffer nodes the garbage collector reclaimed while still taken (dropped without being
     * released), among those watched by {@code netpoll.buffer.leak-detection}.
     */
    BUFFER_LEAKS(
            "netpoll.buffer.leaks",
            Meter.Type.COUNTER,
            null,
            "Buffer nodes dropped without being released (among those leak detection watches)"),

    /**
     * Client connections of the Dialer open now.
     */
    DIALER_CONNECTIONS_ACTIVE(
            "netpoll.dialer.connections.active", Meter.Type.GAUGE, null, "Client connections open now"),

    /**
     * Client connections the Dialer opened.
     */
    DIALER_CONNECTIONS_OPENED(
            "netpoll.dialer.connections.opened", Meter.Type.COUNTER, null, "Client connections opened"),

    /**
     * Bytes read from client connections.
     */
    DIALER_DATA_RECEIVED(
            "netpoll.dialer.data.received", Meter.Type.COUNTER, BaseUnits.BYTES, "Bytes read from client connections"),

    /**
     * Bytes written to client connections.
     */
    DIALER_DATA_SENT(
            "netpoll.dialer.data.sent", Meter.Type.COUNTER, BaseUnits.BYTES, "Bytes written to client connections"),

    /**
     * TLS handshakes of the dialer's connections that ended, by outcome; only for a dialer that
     * speaks TLS.
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

    private final String name;

    private final Meter.Type type;

    private final @Nullable String baseUnit;

    private final String description;

    private final KeyName[] keyNames;

    NetpollMeters(String name, Meter.Type type, @Nullable String baseUnit, String description, KeyName... keyNames) {
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

    Timer.Builder timer(String server, String outcome, String exception) {
        return Timer.builder(this.name)
                .description(this.description)
                .tags(Tags.of(
                        ServerTags.SERVER.asString(),
                        server,
                        ServerTags.OUTCOME.asString(),
                        outcome,
                        ServerTags.EXCEPTION.asString(),
                        exception));
    }

    /**
     * Tags of server meters.
     */
    public enum ServerTags implements KeyName {

        /**
         * Configured server name ({@code default} or a key of {@code netpoll.servers}).
         */
        SERVER("server"),

        /**
         * {@code success} or {@code error}.
         */
        OUTCOME("outcome"),

        /**
         * Simple class name of the exception, {@code none} on success.
         */
        EXCEPTION("exception");

        private final String key;

        ServerTags(String key) {
            this.key = key;
        }

        @Override
        public String asString() {
            return this.key;
        }
    }

    /**
     * Tags of per-poller meters.
     */
    public enum PollerTags implements KeyName {

        /**
         * The poller's index in the group ({@code 0}, {@code 1}, ...: bounded by the poller count).
         */
        POLLER("poller");

        private final String key;

        PollerTags(String key) {
            this.key = key;
        }

        @Override
        public String asString() {
            return this.key;
        }
    }

    /**
     * Tags of buffer meters.
     */
    public enum BufferTags implements KeyName {

        /**
         * {@code direct}: netpoll-core's buffer nodes are direct memory.
         */
        MEMORY_TYPE("memory.type");

        private final String key;

        BufferTags(String key) {
            this.key = key;
        }

        @Override
        public String asString() {
            return this.key;
        }
    }

    /**
     * Tags of the TLS meters besides {@link ServerTags#SERVER}, and their values.
     */
    public enum TlsTags implements KeyName {

        /**
         * {@link #SUCCESS} or {@link #FAILURE}.
         */
        OUTCOME("outcome"),

        /**
         * A {@link TlsFailure} in lower case ({@link #reason(TlsFailure)}): {@code timeout},
         * {@code certificate}, {@code protocol}, {@code truncation}, {@code renegotiation},
         * {@code peer_closed}.
         */
        REASON("reason");

        /** The {@code outcome} of a completed handshake. */
        public static final String SUCCESS = "success";

        /** The {@code outcome} of a failed handshake. */
        public static final String FAILURE = "failure";

        private final String key;

        TlsTags(String key) {
            this.key = key;
        }

        @Override
        public String asString() {
            return this.key;
        }

        /**
         * The {@code reason} tag value of a failure: its name in lower case ({@code peer_closed}).
         * @param failure the failure
         * @return the tag value
         */
        public static String reason(TlsFailure failure) {
            return failure.name().toLowerCase(Locale.ROOT);
        }
    }
}
