package io.netpoll.spring.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.netpoll.Connection;
import io.netpoll.ConnectionClosedException;
import io.netpoll.Dialer;
import io.netpoll.NetStats;
import io.netpoll.OnRequest;
import io.netpoll.PollerGroup;
import io.netpoll.WriteTimeoutException;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.server.NetpollHandlerDecorator;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServers;
import io.netpoll.tls.TlsFailure;
import io.netpoll.tls.TlsStats;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters of netpoll (documented in {@link NetpollMeters}). Almost every meter is a
 * {@link Gauge} or {@link FunctionCounter} that reads netpoll-core's counters when the registry
 * is scraped, so serving costs nothing extra. The exceptions: handler errors are counted by
 * exception type when they happen (a try/catch around the handler), and the request timer,
 * when enabled, reads the clock twice per {@code OnRequest} call. The TLS meters are registered
 * only for the servers and the dialer that speak TLS (a plaintext server gets none).
 * <p>
 * Meters are registered once every singleton exists (the servers are created during context
 * refresh) and removed when the context is destroyed, so a registry that outlives the context
 * (as in tests) does not keep stale meters.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollMetrics implements NetpollHandlerDecorator, SmartInitializingSingleton, DisposableBean {

    private static final String NONE = "none";

    private static final String WORKER_NAME = "netpoll.worker";

    private final MeterRegistry registry;

    private final ObjectProvider<NetpollServers> servers;

    private final ObjectProvider<PollerGroup> pollerGroup;

    private final ObjectProvider<Dialer> dialer;

    private final ObjectProvider<BufferPool> bufferPool;

    private final @Nullable Executor workerExecutor;

    private final boolean timeRequests;

    private final List<Meter> meters = new ArrayList<>();

    private final ConcurrentMap<String, ConcurrentMap<Class<?>, Counter>> errorCounters = new ConcurrentHashMap<>();

    private final Set<Meter> timers = ConcurrentHashMap.newKeySet();

    /**
     * Create the metrics.
     * @param registry the registry
     * @param servers the servers, resolved once all singletons exist
     * @param pollerGroup the poller group
     * @param dialer the dialer, if any
     * @param bufferPool the context's buffer pool; without one the buffer meters read
     * netpoll-core's default pool
     * @param workerExecutor the context's worker executor, or null when handlers run on
     * netpoll-core's worker pool (whose meters then come from the poller group)
     * @param timeRequests whether to time every {@code OnRequest} call
     */
    public NetpollMetrics(
            MeterRegistry registry,
            ObjectProvider<NetpollServers> servers,
            ObjectProvider<PollerGroup> pollerGroup,
            ObjectProvider<Dialer> dialer,
            ObjectProvider<BufferPool> bufferPool,
            @Nullable Executor workerExecutor,
            boolean timeRequests) {
        this.registry = registry;
        this.servers = servers;
        this.pollerGroup = pollerGroup;
        this.dialer = dialer;
        this.bufferPool = bufferPool;
        this.workerExecutor = workerExecutor;
        this.timeRequests = timeRequests;
    }

    @Override
    public OnRequest decorate(String serverName, OnRequest handler) {
        ConcurrentMap<Class<?>, Counter> errors =
                this.errorCounters.computeIfAbsent(serverName, (name) -> new ConcurrentHashMap<>());
        if (!this.timeRequests) {
            return (context, connection) -> {
                try {
                    handler.onRequest(context, connection);
                } catch (Throwable ex) {
                    countError(serverName, errors, ex, connection);
                    throw ex;
                }
            };
        }
        Timer success = timer(serverName, "success", NONE);
        return (context, connection) -> {
            long start = System.nanoTime();
            try {
                handler.onRequest(context, connection);
            } catch (Throwable ex) {
                if (countError(serverName, errors, ex, connection)) {
                    timer(serverName, "error", ex.getClass().getSimpleName())
                            .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                }
                throw ex;
            }
            success.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        };
    }

    private Timer timer(String serverName, String outcome, String exception) {
        Timer timer = NetpollMeters.SERVER_REQUESTS
                .timer(serverName, outcome, exception)
                .publishPercentileHistogram(false)
                .register(this.registry);
        this.timers.add(timer);
        return timer;
    }

    private boolean countError(
            String serverName, ConcurrentMap<Class<?>, Counter> errors, Throwable ex, Connection connection) {
        if ((ex instanceof ConnectionClosedException || ex instanceof WriteTimeoutException)
                && !connection.isActive()) {
            // netpoll-core does not count these either: the handler only saw the peer leave, or
            // the peer stopped reading (a write timeout closed the connection and is counted).
            return false;
        }
        errors.computeIfAbsent(
                        ex.getClass(),
                        (type) -> Counter.builder(NetpollMeters.SERVER_ERRORS.getName())
                                .description("Exceptions thrown by the OnRequest handler; each closed its connection")
                                .tags(Tags.of("server", serverName, "exception", type.getSimpleName()))
                                .register(this.registry))
                .increment();
        return true;
    }

    @Override
    public void afterSingletonsInstantiated() {
        NetpollServers servers = this.servers.getIfAvailable();
        if (servers != null) {
            servers.all().forEach(this::bindServer);
        }
        PollerGroup group = this.pollerGroup.getIfAvailable();
        if (group != null) {
            bindPollers(group);
        }
        bindBuffers(this.bufferPool.getIfAvailable(BufferPool::defaultPool));
        Dialer dialer = this.dialer.getIfAvailable();
        if (dialer != null) {
            bindDialer(dialer);
        }
        if (this.workerExecutor == null && group != null) {
            bindWorkerMeters(new NetpollWorkerPoolMetrics(group.workerStats(), WORKER_NAME, Tags.empty()));
        } else if (this.workerExecutor instanceof ExecutorService executorService) {
            bindWorkerMeters(new ExecutorServiceMetrics(executorService, WORKER_NAME, Tags.empty()));
        }
    }

    /**
     * The standard {@code executor.*} meters, tagged {@code name=netpoll.worker}, whichever
     * executor runs the handlers; remembered so that they are removed with the context.
     */
    private void bindWorkerMeters(MeterBinder binder) {
        binder.bindTo(this.registry);
        this.registry.getMeters().stream()
                .filter((meter) -> meter.getId().getName().startsWith("executor.")
                        && WORKER_NAME.equals(meter.getId().getTag("name")))
                .forEach(this.meters::add);
    }

    private void bindServer(NetpollServer server) {
        NetStats stats = server.getEventLoop().stats();
        Tags tags = Tags.of("server", server.getName());
        gauge(NetpollMeters.SERVER_CONNECTIONS_ACTIVE, tags, stats, NetStats::connectionsActive);
        if (server.getMaxConnections() > 0) {
            gauge(NetpollMeters.SERVER_CONNECTIONS_MAX, tags, server, NetpollServer::getMaxConnections);
        }
        counter(NetpollMeters.SERVER_CONNECTIONS_ACCEPTED, tags, stats, NetStats::connectionsAccepted);
        counter(NetpollMeters.SERVER_CONNECTIONS_REJECTED, tags, stats, NetStats::connectionsRejected);
        counter(NetpollMeters.SERVER_CONNECTIONS_OUTPUT_LIMIT, tags, stats, NetStats::outputLimitCloses);
        counter(NetpollMeters.SERVER_CONNECTIONS_WRITE_TIMEOUT, tags, stats, NetStats::writeTimeoutCloses);
        counter(NetpollMeters.SERVER_DATA_RECEIVED, tags, stats, NetStats::bytesIn);
        counter(NetpollMeters.SERVER_DATA_SENT, tags, stats, NetStats::bytesOut);
        gauge(NetpollMeters.SERVER_REQUESTS_ACTIVE, tags, stats, NetStats::requestsActive);
        counter(NetpollMeters.SERVER_HANDLER_CALLS, tags, stats, NetStats::requestsTotal);
        counter(NetpollMeters.SERVER_HANDLER_ERRORS, tags, stats, NetStats::handlerErrors);
        counter(NetpollMeters.SERVER_PEER_ERRORS, tags, stats, NetStats::peerErrors);
        counter(NetpollMeters.SERVER_HANDLERS_OFFLOADED, tags, stats, NetStats::handlersOffloaded);
        counter(NetpollMeters.SERVER_HANDLERS_READMITTED, tags, stats, NetStats::handlersReadmitted);
        if (server.getEventLoop().config().tls() != null) {
            bindTls(
                    stats.tls(),
                    tags,
                    NetpollMeters.SERVER_TLS_HANDSHAKES,
                    NetpollMeters.SERVER_TLS_HANDSHAKE_DURATION,
                    NetpollMeters.SERVER_TLS_FAILURES);
        }
    }

    private void bindPollers(PollerGroup group) {
        gauge(NetpollMeters.POLLER_COUNT, Tags.empty(), group, (g) -> g.stats().pollers());
        // Per poller (tag poller = index), bounded by the poller count; pollers start lazily, so each
        // gauge looks its poller up when read (0 until it exists).
        for (int i = 0; i < group.numLoops(); i++) {
            int index = i;
            Tags poller = Tags.of(NetpollMeters.PollerTags.POLLER.asString(), Integer.toString(i));
            gauge(
                    NetpollMeters.POLLER_TASKS_PENDING,
                    poller,
                    group,
                    (g) -> pollerValue(g, index, io.netpoll.PollerStats::pendingTasks));
            this.meters.add(io.micrometer.core.instrument.TimeGauge.builder(
                            NetpollMeters.POLLER_LOOP_LAG.getName(),
                            group,
                            TimeUnit.NANOSECONDS,
                            (g) -> pollerValue(g, index, io.netpoll.PollerStats::loopLagNanos))
                    .description(NetpollMeters.POLLER_LOOP_LAG.description())
                    .tags(poller)
                    .strongReference(true)
                    .register(this.registry));
        }
        gauge(
                NetpollMeters.POLLER_REGISTRATIONS,
                Tags.empty(),
                group,
                (g) -> g.stats().registrations());
        counter(
                NetpollMeters.POLLER_SELECTOR_REBUILDS,
                Tags.empty(),
                group,
                (g) -> g.stats().selectorRebuilds());
        counter(
                NetpollMeters.HANDLER_BLOCKED,
                Tags.empty(),
                group,
                (g) -> g.stats().handlersBlocked());
        counter(
                NetpollMeters.POLLER_HANDOFFS,
                Tags.empty(),
                group,
                (g) -> g.stats().roleHandOffs());
        gauge(
                NetpollMeters.POLLER_THREADS,
                Tags.empty(),
                group,
                (g) -> g.stats().roleThreads());
        gauge(
                NetpollMeters.HANDLER_OFFLOAD_THREADS,
                Tags.empty(),
                group,
                (g) -> g.stats().offloadThreads());
    }

    private static double pollerValue(PollerGroup group, int index, ToDoubleFunction<io.netpoll.PollerStats> value) {
        List<io.netpoll.PollerStats> pollers = group.pollerStats();
        return (index < pollers.size()) ? value.applyAsDouble(pollers.get(index)) : 0;
    }

    private void bindBuffers(BufferPool pool) {
        Tags tags = Tags.of("memory.type", "direct");
        gauge(NetpollMeters.BUFFER_MEMORY_USED, tags, pool, (p) -> p.stats().usedBytes());
        gauge(NetpollMeters.BUFFER_MEMORY_POOLED, tags, pool, (p) -> p.stats().pooledBytes());
        gauge(NetpollMeters.BUFFER_MEMORY_MAX, tags, pool, (p) -> p.stats().maxPooledBytes());
        counter(NetpollMeters.BUFFER_LEAKS, Tags.empty(), pool, (p) -> p.stats().leaksDetected());
        gauge(NetpollMeters.BUFFER_MEMORY_BUDGET, tags, pool, BufferPool::maxDirectBytes);
        gauge(NetpollMeters.BUFFER_MEMORY_RESERVED, tags, pool, (p) -> p.stats().reservedBytes());
        counter(
                NetpollMeters.BUFFER_BUDGET_REFUSALS,
                Tags.empty(),
                pool,
                (p) -> p.stats().budgetRefusals());
        counter(
                NetpollMeters.BUFFER_MEMORY_DECAYED,
                tags,
                pool,
                (p) -> p.stats().decayedBytes());
    }

    private void bindDialer(Dialer dialer) {
        NetStats stats = dialer.stats();
        gauge(NetpollMeters.DIALER_CONNECTIONS_ACTIVE, Tags.empty(), stats, NetStats::connectionsActive);
        counter(NetpollMeters.DIALER_CONNECTIONS_OPENED, Tags.empty(), stats, NetStats::connectionsAccepted);
        counter(NetpollMeters.DIALER_DATA_RECEIVED, Tags.empty(), stats, NetStats::bytesIn);
        counter(NetpollMeters.DIALER_DATA_SENT, Tags.empty(), stats, NetStats::bytesOut);
        if (dialer.config().tls() != null) {
            bindTls(
                    stats.tls(),
                    Tags.empty(),
                    NetpollMeters.DIALER_TLS_HANDSHAKES,
                    NetpollMeters.DIALER_TLS_HANDSHAKE_DURATION,
                    NetpollMeters.DIALER_TLS_FAILURES);
        }
    }

    /**
     * The TLS meters of a server or the dialer that speaks TLS, over core's {@link TlsStats}: a
     * handshake costs nothing extra.
     */
    private void bindTls(
            TlsStats tls, Tags tags, NetpollMeters handshakes, NetpollMeters duration, NetpollMeters failures) {
        String outcome = NetpollMeters.TlsTags.OUTCOME.asString();
        counter(handshakes, tags.and(outcome, NetpollMeters.TlsTags.SUCCESS), tls, TlsStats::handshakes);
        counter(handshakes, tags.and(outcome, NetpollMeters.TlsTags.FAILURE), tls, TlsStats::handshakeFailures);
        this.meters.add(FunctionTimer.builder(
                        duration.getName(), tls, TlsStats::handshakes, TlsStats::handshakeNanos, TimeUnit.NANOSECONDS)
                .description(duration.description())
                .tags(tags)
                .register(this.registry));
        // One counter per reason, registered up front (six, bounded), so a dashboard sees zeros
        // rather than missing series before the first failure.
        for (TlsFailure reason : TlsFailure.values()) {
            counter(
                    failures,
                    tags.and(NetpollMeters.TlsTags.REASON.asString(), NetpollMeters.TlsTags.reason(reason)),
                    tls,
                    (t) -> t.failures(reason));
        }
    }

    private <T> void gauge(NetpollMeters meter, Tags tags, T object, ToDoubleFunction<T> value) {
        this.meters.add(Gauge.builder(meter.getName(), object, value)
                .description(meter.description())
                .baseUnit(meter.getBaseUnit())
                .tags(tags)
                .strongReference(true)
                .register(this.registry));
    }

    private <T> void counter(NetpollMeters meter, Tags tags, T object, ToDoubleFunction<T> value) {
        this.meters.add(FunctionCounter.builder(meter.getName(), object, value)
                .description(meter.description())
                .baseUnit(meter.getBaseUnit())
                .tags(tags)
                .register(this.registry));
    }

    @Override
    public void destroy() {
        this.meters.forEach(this.registry::remove);
        this.meters.clear();
        this.errorCounters.values().forEach((counters) -> counters.values().forEach(this.registry::remove));
        this.errorCounters.clear();
        this.timers.forEach(this.registry::remove);
        this.timers.clear();
    }
}
