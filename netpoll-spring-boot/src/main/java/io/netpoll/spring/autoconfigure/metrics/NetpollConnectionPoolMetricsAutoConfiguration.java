package io.netpoll.spring.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.netpoll.pool.ConnectionPool;
import io.netpoll.spring.autoconfigure.NetpollConnectionPoolAutoConfiguration;
import io.netpoll.spring.metrics.NetpollConnectionPoolMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the meters of the context's
 * {@link ConnectionPool} ({@code netpoll.dialer.pool.*}, see docs/metrics.md). Needs a
 * {@link MeterRegistry} bean and a {@code ConnectionPool} bean (the starter's or the
 * application's).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@AutoConfiguration(
        after = NetpollConnectionPoolAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({MeterRegistry.class, ConnectionPool.class})
@ConditionalOnBean({MeterRegistry.class, ConnectionPool.class})
public final class NetpollConnectionPoolMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    NetpollConnectionPoolMetrics netpollConnectionPoolMetrics(MeterRegistry registry, ConnectionPool pool) {
        return new NetpollConnectionPoolMetrics(registry, pool);
    }
}
