package io.netpoll.spring.autoconfigure;

import io.netpoll.EventLoop;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServerGracefulShutdownLifecycle;
import io.netpoll.spring.server.NetpollServerStartStopLifecycle;
import io.netpoll.spring.server.NetpollServers;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for netpoll servers: one
 * {@link EventLoop} and one {@link NetpollServer} per configured server that has a
 * {@link io.netpoll.spring.annotation.NetpollHandler @NetpollHandler} bean (see
 * {@link NetpollServerBeanRegistrar}), started with the context and drained gracefully when it
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

	@Bean
	NetpollServers netpollServers(ObjectProvider<NetpollServer> servers) {
		return new NetpollServers(servers.orderedStream());
	}

	@Bean
	NetpollServerStartStopLifecycle netpollServerStartStopLifecycle(NetpollServers servers,
			ApplicationContext applicationContext) {
		return new NetpollServerStartStopLifecycle(servers, applicationContext);
	}

	@Bean
	NetpollServerGracefulShutdownLifecycle netpollServerGracefulShutdownLifecycle(NetpollServers servers,
			ApplicationContext applicationContext) {
		return new NetpollServerGracefulShutdownLifecycle(servers, applicationContext);
	}

}
