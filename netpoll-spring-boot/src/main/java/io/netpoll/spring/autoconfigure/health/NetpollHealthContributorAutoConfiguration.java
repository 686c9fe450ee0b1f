package io.netpoll.spring.autoconfigure.health;

import io.netpoll.PollerGroup;
import io.netpoll.spring.autoconfigure.NetpollServerAutoConfiguration;
import io.netpoll.spring.health.NetpollPollerHealthIndicator;
import io.netpoll.spring.health.NetpollServerHealthIndicator;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServers;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;

import java.util.Map;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the {@code netpoll} health contributor:
 * one child per server ({@code netpoll.default}, {@code netpoll.admin}, ...), a single indicator
 * when there is one server, and an indicator of the pollers alone in a client-only application.
 * Switched off with {@code management.health.netpoll.enabled=false}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@AutoConfiguration(after = NetpollServerAutoConfiguration.class)
@ConditionalOnClass({HealthContributor.class, ConditionalOnEnabledHealthIndicator.class, PollerGroup.class})
@ConditionalOnBean({NetpollServers.class, PollerGroup.class})
@ConditionalOnEnabledHealthIndicator("netpoll")
@EnableConfigurationProperties(NetpollHealthProperties.class)
public final class NetpollHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = {"netpollHealthIndicator", "netpollHealthContributor"})
    HealthContributor netpollHealthContributor(
            NetpollServers servers, PollerGroup pollerGroup, NetpollHealthProperties properties) {
        Map<String, NetpollServer> all = servers.asMap();
        java.time.Duration stuck = properties.getStuckPollerThreshold();
        if (all.isEmpty()) {
            return new NetpollPollerHealthIndicator(pollerGroup, stuck);
        }
        if (all.size() == 1) {
            return new NetpollServerHealthIndicator(all.values().iterator().next(), pollerGroup, stuck);
        }
        return CompositeHealthContributor.fromMap(
                all, (server) -> new NetpollServerHealthIndicator(server, pollerGroup, stuck));
    }
}
