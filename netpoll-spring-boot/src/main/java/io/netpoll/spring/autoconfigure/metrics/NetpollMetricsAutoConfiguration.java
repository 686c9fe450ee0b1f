package io.netpoll.spring.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.netpoll.Dialer;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.autoconfigure.NetpollAutoConfiguration;
import io.netpoll.spring.autoconfigure.NetpollProperties;
import io.netpoll.spring.autoconfigure.NetpollServerAutoConfiguration;
import io.netpoll.spring.metrics.NetpollMetrics;
import io.netpoll.spring.server.NetpollServers;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import java.util.concurrent.Executor;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for netpoll's Micrometer meters (see
 * {@link io.netpoll.spring.metrics.NetpollMeters}). Needs a {@link MeterRegistry} bean; switch
 * meters off by prefix with Boot's {@code management.metrics.enable.netpoll=false}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@AutoConfiguration(
        after = {NetpollAutoConfiguration.class, NetpollServerAutoConfiguration.class},
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({MeterRegistry.class, PollerGroup.class})
@ConditionalOnBean({MeterRegistry.class, PollerGroup.class})
public final class NetpollMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    NetpollMetrics netpollMetrics(
            MeterRegistry registry,
            NetpollProperties properties,
            ObjectProvider<NetpollServers> servers,
            ObjectProvider<PollerGroup> pollerGroup,
            ObjectProvider<Dialer> dialer,
            ObjectProvider<BufferPool> bufferPool,
            @Qualifier(NetpollAutoConfiguration.WORKER_EXECUTOR_BEAN_NAME) ObjectProvider<Executor> workerExecutor) {
        return new NetpollMetrics(
                registry,
                servers,
                pollerGroup,
                dialer,
                bufferPool,
                workerExecutor.getIfAvailable(),
                properties.getMetrics().getRequests().isEnabled());
    }
}
