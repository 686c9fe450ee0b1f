package io.netpoll.spring.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.netpoll.Dialer;
import io.netpoll.NetStats;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServers;
import io.netpoll.tls.TlsFailure;
import io.netpoll.tls.TlsStats;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters over netpoll-core's TLS counters ({@code NetStats.tls()}, see
 * {@link NetpollTlsMeters}), for every server whose {@code EventLoop} speaks TLS and for the
 * {@code Dialer} bean when it does; a plaintext server gets none. Function counters and a
 * function timer that read core's {@code LongAdder}s when the registry is scraped: a handshake
 * costs nothing extra. Registered once every singleton exists (the servers are created during
 * the context's refresh), removed when the context is destroyed.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollTlsMetrics implements SmartInitializingSingleton, DisposableBean {

    private final MeterRegistry registry;

    private final ObjectProvider<NetpollServers> servers;

    private final ObjectProvider<Dialer> dialer;

    private final List<Meter> meters = new ArrayList<>();

    /**
     * Create the meters' binder.
     * @param registry the registry
     * @param servers the servers, resolved once all singletons exist
     * @param dialer the dialer, if any
     */
    public NetpollTlsMetrics(
            MeterRegistry registry, ObjectProvider<NetpollServers> servers, ObjectProvider<Dialer> dialer) {
        this.registry = registry;
        this.servers = servers;
        this.dialer = dialer;
    }

    @Override
    public void afterSingletonsInstantiated() {
        NetpollServers servers = this.servers.getIfAvailable();
        if (servers != null) {
            for (NetpollServer server : servers.all()) {
                if (server.getEventLoop().config().tls() != null) {
                    bind(
                            server.getEventLoop().stats(),
                            Tags.of(NetpollTlsMeters.TlsTags.SERVER.asString(), server.getName()),
                            NetpollTlsMeters.SERVER_TLS_HANDSHAKES,
                            NetpollTlsMeters.SERVER_TLS_HANDSHAKE_DURATION,
                            NetpollTlsMeters.SERVER_TLS_FAILURES);
                }
            }
        }
        Dialer dialer = this.dialer.getIfAvailable();
        if (dialer != null && dialer.config().tls() != null) {
            bind(
                    dialer.stats(),
                    Tags.empty(),
                    NetpollTlsMeters.DIALER_TLS_HANDSHAKES,
                    NetpollTlsMeters.DIALER_TLS_HANDSHAKE_DURATION,
                    NetpollTlsMeters.DIALER_TLS_FAILURES);
        }
    }

    private void bind(
            NetStats stats,
            Tags tags,
            NetpollTlsMeters handshakes,
            NetpollTlsMeters duration,
            NetpollTlsMeters failures) {
        TlsStats tls = stats.tls();
        String outcome = NetpollTlsMeters.TlsTags.OUTCOME.asString();
        counter(handshakes, tags.and(outcome, NetpollTlsMeters.SUCCESS), tls, TlsStats::handshakes);
        counter(handshakes, tags.and(outcome, NetpollTlsMeters.FAILURE), tls, TlsStats::handshakeFailures);
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
                    tags.and(NetpollTlsMeters.TlsTags.REASON.asString(), NetpollTlsMeters.reason(reason)),
                    tls,
                    (t) -> t.failures(reason));
        }
    }

    private void counter(NetpollTlsMeters meter, Tags tags, TlsStats tls, ToDoubleFunction<TlsStats> value) {
        this.meters.add(FunctionCounter.builder(meter.getName(), tls, value)
                .description(meter.description())
                .baseUnit(meter.getBaseUnit())
                .tags(tags)
                .register(this.registry));
    }

    @Override
    public void destroy() {
        this.meters.forEach(this.registry::remove);
        this.meters.clear();
    }
}
