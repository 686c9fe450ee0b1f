package io.netpoll.spring.autoconfigure.observation;

import io.micrometer.observation.ObservationRegistry;
import io.netpoll.PollerGroup;
import io.netpoll.spring.autoconfigure.NetpollAutoConfiguration;
import io.netpoll.spring.observation.DefaultNetpollHandlerObservationConvention;
import io.netpoll.spring.observation.NetpollHandlerObservationConvention;
import io.netpoll.spring.observation.NetpollObservations;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for observations of netpoll's
 * {@code OnRequest} calls ({@link NetpollObservations}, a handler decorator), when
 * {@code netpoll.observations.requests.enabled=true}, Micrometer's observation API is on the
 * classpath and the context has an {@link ObservationRegistry} (Boot's, with Actuator or
 * {@code spring-boot-micrometer-observation}). A {@link NetpollHandlerObservationConvention}
 * bean replaces {@link DefaultNetpollHandlerObservationConvention}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@AutoConfiguration(
        after = NetpollAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass({ObservationRegistry.class, PollerGroup.class})
@ConditionalOnBooleanProperty("netpoll.observations.requests.enabled")
@EnableConfigurationProperties(NetpollObservationProperties.class)
public final class NetpollObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(ObservationRegistry.class)
    NetpollObservations netpollObservations(
            ObservationRegistry registry, ObjectProvider<NetpollHandlerObservationConvention> convention) {
        return new NetpollObservations(registry, convention.getIfAvailable());
    }
}
