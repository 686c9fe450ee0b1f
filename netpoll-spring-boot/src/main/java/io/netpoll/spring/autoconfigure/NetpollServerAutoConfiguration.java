package io.netpoll.spring.autoconfigure;

import io.netpoll.EventLoop;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.server.NetpollHandlerDecorator;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServerCustomizer;
import io.netpoll.spring.server.NetpollServerGracefulShutdownLifecycle;
import io.netpoll.spring.server.NetpollServerStartStopLifecycle;
import io.netpoll.spring.server.NetpollServers;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for netpoll servers: one
 * {@link EventLoop} and one {@link NetpollServer} per configured server that has a
 * {@link io.netpoll.spring.annotation.NetpollHandler @NetpollHandler} bean (see
 * {@link NetpollServerBeanRegistrar}, created by {@link NetpollEventLoopFactory}), started with the context and drained gracefully when it
 * closes, in the same lifecycle phases as Boot's embedded web servers.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@AutoConfiguration(after = NetpollAutoConfiguration.class)
@ConditionalOnClass(EventLoop.class)
public final class NetpollServerAutoConfiguration {

    @Bean
    static NetpollServerBeanRegistrar netpollServerBeanRegistrar(Environment environment) {
        return new NetpollServerBeanRegistrar(environment);
    }

    // By name: the servers' bean definitions name their factory bean.
    @Bean(NetpollEventLoopFactory.BEAN_NAME)
    @ConditionalOnMissingBean(name = NetpollEventLoopFactory.BEAN_NAME)
    NetpollEventLoopFactory netpollEventLoopFactory(
            NetpollProperties properties,
            PollerGroup pollerGroup,
            ObjectProvider<BufferPool> bufferPool,
            @Qualifier(NetpollAutoConfiguration.WORKER_EXECUTOR_BEAN_NAME) ObjectProvider<Executor> workerExecutor,
            ObjectProvider<NetpollHandlerDecorator> decorators,
            ObjectProvider<NetpollServerCustomizer> customizers,
            Environment environment) {
        Duration gracePeriod = Binder.get(environment)
                .bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(Duration.ofSeconds(30));
        return new NetpollEventLoopFactory(
                properties, pollerGroup, bufferPool, workerExecutor, decorators, customizers, gracePeriod);
    }

    @Bean
    NetpollServers netpollServers(ObjectProvider<NetpollServer> servers) {
        // Lazy: a handler may inject it, and the servers depend on their handlers.
        return new NetpollServers(servers);
    }

    @Bean
    NetpollServerStartStopLifecycle netpollServerStartStopLifecycle(
            NetpollServers servers, ApplicationContext applicationContext) {
        return new NetpollServerStartStopLifecycle(servers, applicationContext);
    }

    @Bean
    NetpollServerGracefulShutdownLifecycle netpollServerGracefulShutdownLifecycle(
            NetpollServers servers, ApplicationContext applicationContext) {
        return new NetpollServerGracefulShutdownLifecycle(servers, applicationContext);
    }
}
