package io.netpoll.spring.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netpoll.pool.ConnectionPool;
import io.netpoll.pool.ConnectionPoolStats;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters over a {@link ConnectionPool}'s {@link ConnectionPoolStats}, summed over its
 * remote addresses (no address tag: the number of addresses is not bounded). Read when the
 * registry is scraped: acquire and release cost nothing extra. Registered once every singleton
 * exists, removed when the context is destroyed. The names are in {@link #NAMES} and in
 * docs/metrics.md.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollConnectionPoolMetrics implements SmartInitializingSingleton, DisposableBean {

    /** Every meter this binder registers. */
    public static final List<String> NAMES = List.of(
            "netpoll.dialer.pool.connections.active",
            "netpoll.dialer.pool.connections.idle",
            "netpoll.dialer.pool.connections.max",
            "netpoll.dialer.pool.acquires.pending",
            "netpoll.dialer.pool.connections.created",
            "netpoll.dialer.pool.connections.evicted",
            "netpoll.dialer.pool.acquire",
            "netpoll.dialer.pool.acquire.failures");

    private final MeterRegistry registry;

    private final ConnectionPool pool;

    private final List<Meter> meters = new ArrayList<>();

    public NetpollConnectionPoolMetrics(MeterRegistry registry, ConnectionPool pool) {
        this.registry = registry;
        this.pool = pool;
    }

    @Override
    public void afterSingletonsInstantiated() {
        ConnectionPoolStats s = this.pool.stats();
        gauge(
                "netpoll.dialer.pool.connections.active",
                s,
                ConnectionPoolStats::active,
                null,
                "Pooled connections lent and not yet released.");
        gauge(
                "netpoll.dialer.pool.connections.idle",
                s,
                ConnectionPoolStats::idle,
                null,
                "Pooled connections open and waiting to be lent.");
        gauge(
                "netpoll.dialer.pool.connections.max",
                this.pool,
                ConnectionPool::maxConnections,
                null,
                "The most connections the pool keeps open per remote address.");
        gauge(
                "netpoll.dialer.pool.acquires.pending",
                s,
                ConnectionPoolStats::pending,
                null,
                "Acquires waiting for a connection to be released.");
        counter(
                "netpoll.dialer.pool.connections.created",
                s,
                ConnectionPoolStats::created,
                null,
                "Connections the pool opened.");
        counter(
                "netpoll.dialer.pool.connections.evicted",
                s,
                ConnectionPoolStats::evicted,
                null,
                "Connections the pool closed: closed by the peer while idle, input that arrived unasked, released "
                        + "with unread input or unflushed output, discarded, too old, or idle too long.");
        counter(
                "netpoll.dialer.pool.acquire.failures",
                s,
                ConnectionPoolStats::acquireFailures,
                null,
                "Acquires that failed: timed out, over the pending-acquire limit, pool closed, or the dial failed.");
        this.meters.add(FunctionTimer.builder(
                        "netpoll.dialer.pool.acquire",
                        s,
                        ConnectionPoolStats::acquired,
                        ConnectionPoolStats::acquireTimeNanos,
                        TimeUnit.NANOSECONDS)
                .description(
                        "Acquires that returned a connection, and the time they took (waiting and dialing included).")
                .register(this.registry));
    }

    private <T> void gauge(
            String name, T object, java.util.function.ToDoubleFunction<T> value, String unit, String description) {
        this.meters.add(Gauge.builder(name, object, value)
                .baseUnit(unit)
                .description(description)
                .register(this.registry));
    }

    private <T> void counter(
            String name, T object, java.util.function.ToDoubleFunction<T> value, String unit, String description) {
        this.meters.add(FunctionCounter.builder(name, object, value)
                .baseUnit(unit)
                .description(description)
                .register(this.registry));
    }

    @Override
    public void destroy() {
        this.meters.forEach(this.registry::remove);
        this.meters.clear();
    }
}
