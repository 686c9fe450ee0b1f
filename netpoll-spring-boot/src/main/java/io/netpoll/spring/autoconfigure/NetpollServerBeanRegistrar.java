package io.netpoll.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import io.netpoll.EventLoop;
import io.netpoll.HandlerMode;
import io.netpoll.Netpoll;
import io.netpoll.OnConnect;
import io.netpoll.OnDisconnect;
import io.netpoll.OnError;
import io.netpoll.OnPrepare;
import io.netpoll.OnRequest;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.ServerConfig;
import io.netpoll.ServerOption;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.server.NetpollHandlerDecorator;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServerCustomizer;
import io.netpoll.spring.server.NetpollStartupException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Registers, for each enabled server in {@code netpoll.server} / {@code netpoll.servers.<name>}
 * that has a handler, an {@link EventLoop} bean ({@code netpollEventLoop} or
 * {@code netpollEventLoop.<name>}) and a {@link NetpollServer} bean ({@code netpollServer} or
 * {@code netpollServer.<name>}).
 * <p>
 * The number of servers comes from properties, so these beans cannot be plain {@code @Bean}
 * methods. This runs after every other bean definition is known (user configuration and
 * component scanning included), so it can find the {@link NetpollHandler @NetpollHandler} beans
 * by annotation without creating them, check that each server has exactly one, and back off
 * per server when the application already defines an {@code EventLoop} bean of that name.
 * <p>
 * Rules, each failing startup with a {@link NetpollStartupException} when broken: two handlers
 * for one server; a handler naming a server that is not configured; a configured named server
 * without a handler; a handler bean that does not implement {@link OnRequest}. The default server
 * without a handler is simply not started (a client-only application).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public final class NetpollServerBeanRegistrar implements BeanDefinitionRegistryPostProcessor, Ordered {

	private static final Log logger = LogFactory.getLog(NetpollServerBeanRegistrar.class);

	private final Environment environment;

	NetpollServerBeanRegistrar(Environment environment) {
		this.environment = environment;
	}

	/**
	 * Bean name of a server's {@link EventLoop}.
	 * @param serverName the server name
	 * @return {@code netpollEventLoop} for the default server, else {@code netpollEventLoop.<name>}
	 */
	public static String eventLoopBeanName(String serverName) {
		return NetpollServer.DEFAULT_NAME.equals(serverName) ? "netpollEventLoop" : "netpollEventLoop." + serverName;
	}

	/**
	 * Bean name of a {@link NetpollServer}.
	 * @param serverName the server name
	 * @return {@code netpollServer} for the default server, else {@code netpollServer.<name>}
	 */
	public static String serverBeanName(String serverName) {
		return NetpollServer.DEFAULT_NAME.equals(serverName) ? "netpollServer" : "netpollServer." + serverName;
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
		if (!(registry instanceof ConfigurableListableBeanFactory beanFactory)) {
			return;
		}
		// Bound (and validated, so a bad value is reported as such) before the properties bean
		// exists: the set of servers decides which beans to register.
		NetpollProperties properties = new NetpollProperties();
		Binder.get(this.environment)
			.bind("netpoll", Bindable.ofInstance(properties), new ValidationBindHandler(properties));
		Map<String, NetpollProperties.Server> servers = properties.serversByName();
		Map<String, List<String>> handlers = findHandlers(beanFactory, servers);
		servers.forEach((name, server) -> {
			if (!server.isEnabled()) {
				return;
			}
			List<String> handlerNames = handlers.getOrDefault(name, List.of());
			String eventLoopName = eventLoopBeanName(name);
			boolean userEventLoop = registry.containsBeanDefinition(eventLoopName);
			if (handlerNames.size() > 1) {
				throw new NetpollStartupException(
						"Netpoll server '" + name + "' has " + handlerNames.size() + " handlers: " + handlerNames
								+ ". A server has exactly one OnRequest handler.",
						"Keep one @NetpollHandler for server '" + name + "', or give the others a server of their own: "
								+ "@NetpollHandler(server = \"other\") and 'netpoll.servers.other.port=...'.");
			}
			if (handlerNames.isEmpty() && !userEventLoop) {
				if (!NetpollServer.DEFAULT_NAME.equals(name)) {
					throw new NetpollStartupException(
							"Netpoll server '" + name + "' is configured (netpoll.servers." + name
									+ ".*) but no @NetpollHandler bean serves it.",
							"Annotate the handler bean with @NetpollHandler(server = \"" + name
									+ "\"), or remove the 'netpoll.servers." + name + ".*' properties, or set 'netpoll.servers."
									+ name + ".enabled=false'.");
				}
				return;
			}
			if (userEventLoop) {
				if (!handlerNames.isEmpty()) {
					logger.warn("Netpoll server '" + name + "' uses the application's '" + eventLoopName
							+ "' bean; its @NetpollHandler bean " + handlerNames + " is not used by it");
				}
			}
			else {
				String handlerName = handlerNames.get(0);
				RootBeanDefinition eventLoop = new RootBeanDefinition(EventLoop.class,
						() -> createEventLoop(beanFactory, name, handlerName));
				eventLoop.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
				registry.registerBeanDefinition(eventLoopName, eventLoop);
			}
			RootBeanDefinition netpollServer = new RootBeanDefinition(NetpollServer.class,
					() -> createServer(beanFactory, name, !userEventLoop));
			netpollServer.setDestroyMethodName("stop");
			netpollServer.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
			registry.registerBeanDefinition(serverBeanName(name), netpollServer);
		});
	}

	private Map<String, List<String>> findHandlers(ConfigurableListableBeanFactory beanFactory,
			Map<String, NetpollProperties.Server> servers) {
		Map<String, List<String>> handlers = new LinkedHashMap<>();
		for (String beanName : beanFactory.getBeanDefinitionNames()) {
			BeanDefinition definition = beanFactory.getBeanDefinition(beanName);
			if (definition.isAbstract()) {
				continue;
			}
			NetpollHandler annotation = beanFactory.findAnnotationOnBean(beanName, NetpollHandler.class, false);
			if (annotation == null) {
				continue;
			}
			String server = annotation.server();
			Class<?> type = beanFactory.getType(beanName, false);
			if (type != null && !OnRequest.class.isAssignableFrom(type)) {
				throw new NetpollStartupException(
						"Bean '" + beanName + "' (" + type.getName()
								+ ") is annotated @NetpollHandler but does not implement io.netpoll.OnRequest.",
						"Implement io.netpoll.OnRequest in " + type.getSimpleName() + ", or remove @NetpollHandler.");
			}
			if (!servers.containsKey(server)) {
				throw new NetpollStartupException(
						"Bean '" + beanName + "' is a @NetpollHandler for server '" + server
								+ "', but no such server is configured (configured: " + servers.keySet() + ").",
						"Configure the server, for example 'netpoll.servers." + server
								+ ".port=9000', or fix the server name in @NetpollHandler(server = \"" + server + "\").");
			}
			handlers.computeIfAbsent(server, (key) -> new ArrayList<>()).add(beanName);
		}
		return handlers;
	}

	private static EventLoop createEventLoop(BeanFactory beanFactory, String name, String handlerName) {
		NetpollProperties.Server server = beanFactory.getBean(NetpollProperties.class).serversByName().get(name);
		Object handlerBean = beanFactory.getBean(handlerName);
		OnRequest handler = (OnRequest) handlerBean;
		List<ServerOption> options = new ArrayList<>();
		options.add(Option.pollerGroup(beanFactory.getBean(PollerGroup.class)));
		NetpollOptions.addBufferPool(options, beanFactory.getBeanProvider(BufferPool.class));
		HandlerMode mode = server.getHandlerMode();
		boolean workerExecutor = beanFactory.containsBean(NetpollAutoConfiguration.WORKER_EXECUTOR_BEAN_NAME);
		if (workerExecutor && (mode == null || mode == HandlerMode.WORKER)) {
			// A configured worker executor (virtual threads, max-size) keeps its servers in worker mode.
			options.add(Option.executor(
					beanFactory.getBean(NetpollAutoConfiguration.WORKER_EXECUTOR_BEAN_NAME, Executor.class)));
		}
		else if (mode != null) {
			options.add(Option.handlerMode(mode));
		}
		NetpollOptions.addConnectionOptions(options, server.getConnection());
		// SO_RCVBUF is set on the listening socket by NetpollServer (so that it applies to
		// event loops of the application too); SO_SNDBUF on each accepted socket by the loop.
		NetpollOptions.addSocketBuffers(options, server.getSendBufferSize(), null);
		if (server.getMaxConnections() > 0) {
			// Enforced by the event loop right after accept, before OnPrepare, logged at DEBUG only.
			options.add(Option.maxConnections(server.getMaxConnections()));
		}
		if (handlerBean instanceof OnPrepare onPrepare) {
			options.add(Option.onPrepare(onPrepare));
		}
		if (handlerBean instanceof OnConnect onConnect) {
			options.add(Option.onConnect(onConnect));
		}
		if (handlerBean instanceof OnDisconnect onDisconnect) {
			options.add(Option.onDisconnect(onDisconnect));
		}
		if (handlerBean instanceof OnError onError) {
			options.add(Option.onError(onError));
		}
		for (NetpollHandlerDecorator decorator : beanFactory.getBeanProvider(NetpollHandlerDecorator.class)
			.orderedStream()
			.toList()) {
			handler = decorator.decorate(name, handler);
		}
		ServerConfig.Builder config = ServerConfig.builder().apply(options.toArray(ServerOption[]::new));
		beanFactory.getBeanProvider(NetpollServerCustomizer.class)
			.orderedStream()
			.forEach((customizer) -> customizer.customize(name, config));
		return Netpoll.newEventLoop(handler, config.build());
	}

	private NetpollServer createServer(BeanFactory beanFactory, String name, boolean ownEventLoop) {
		NetpollProperties.Server server = beanFactory.getBean(NetpollProperties.class).serversByName().get(name);
		EventLoop eventLoop = beanFactory.getBean(eventLoopBeanName(name), EventLoop.class);
		int receiveBuffer = (server.getReceiveBufferSize() != null)
				? (int) Math.min(Integer.MAX_VALUE, server.getReceiveBufferSize().toBytes()) : 0;
		NetpollServer.Endpoint endpoint = new NetpollServer.Endpoint(name, server.getNetwork(), server.getAddress(),
				server.getPort(), server.getPath(), server.getBacklog(), receiveBuffer);
		int maxConnections = (ownEventLoop && server.getMaxConnections() > 0) ? server.getMaxConnections() : -1;
		return new NetpollServer(name, eventLoop, endpoint, gracePeriod(server), maxConnections);
	}

	private Duration gracePeriod(NetpollProperties.Server server) {
		Duration configured = server.getShutdown().getGracePeriod();
		if (configured != null) {
			return configured;
		}
		return Binder.get(this.environment)
			.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
			.orElse(Duration.ofSeconds(30));
	}

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
	}

}
