package io.netpoll.spring.autoconfigure;

import io.netpoll.Dialer;
import io.netpoll.pool.ConnectionPool;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for netpoll-core's {@link ConnectionPool}
 * over the context's {@link Dialer} bean, from {@code netpoll.dialer.pool.*}. Backs off when
 * the application defines its own {@code ConnectionPool} bean or sets
 * {@code netpoll.dialer.pool.enabled=false}. The pool is closed with the context (its
 * connections with it), before the poller group that carries them.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@AutoConfiguration(after = NetpollAutoConfiguration.class)
@ConditionalOnBean(Dialer.class)
@ConditionalOnProperty(prefix = "netpoll.dialer.pool", name = "enabled", havingValue = "true", matchIfMissing = true)
public final class NetpollConnectionPoolAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    ConnectionPool netpollConnectionPool(Dialer dialer, NetpollProperties properties) {
        NetpollProperties.Dialer.Pool pool = properties.getDialer().getPool();
        return ConnectionPool.builder(dialer)
                .maxConnections(pool.getMaxConnections())
                .maxPendingAcquires(pool.getMaxPendingAcquires())
                .acquireTimeout(pool.getAcquireTimeout())
                .maxIdleTime(pool.getMaxIdleTime())
                .maxLifetime(pool.getMaxLifetime())
                .build();
    }
}
