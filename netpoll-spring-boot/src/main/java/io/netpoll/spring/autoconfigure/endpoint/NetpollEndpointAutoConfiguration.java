package io.netpoll.spring.autoconfigure.endpoint;

import io.netpoll.PollerGroup;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.actuate.endpoint.NetpollEndpoint;
import io.netpoll.spring.autoconfigure.NetpollServerAutoConfiguration;
import io.netpoll.spring.server.NetpollServers;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the {@link NetpollEndpoint}
 * ({@code /actuator/netpoll}), when the endpoint is available: enabled (it is by default) and
 * exposed ({@code management.endpoints.web.exposure.include} lists {@code netpoll}).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@AutoConfiguration(after = NetpollServerAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class, PollerGroup.class})
@ConditionalOnBean(PollerGroup.class)
@EnableConfigurationProperties(NetpollEndpointProperties.class)
public final class NetpollEndpointAutoConfiguration {

    // On the method, not the class: the class's conditions are read together, and without
    // Actuator this one's condition class is missing (the class-level @ConditionalOnClass goes first).
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(NetpollEndpoint.class)
    NetpollEndpoint netpollEndpoint(
            ObjectProvider<NetpollServers> servers,
            PollerGroup pollerGroup,
            ObjectProvider<BufferPool> bufferPool,
            NetpollEndpointProperties properties) {
        return new NetpollEndpoint(
                servers.getIfAvailable(() -> new NetpollServers(java.util.stream.Stream.empty())),
                pollerGroup,
                bufferPool.getIfAvailable(BufferPool::defaultPool),
                properties.getCloseConnections().isEnabled());
    }
}
