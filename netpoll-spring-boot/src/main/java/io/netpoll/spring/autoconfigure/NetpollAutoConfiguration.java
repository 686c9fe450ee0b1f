package io.netpoll.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.netpoll.Dialer;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.spring.server.NetpollDialerCustomizer;
import io.netpoll.spring.server.NetpollPollerGroupCustomizer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for netpoll's engine: the
 * {@link PollerGroup} (pollers), the worker executor that runs handlers, and the
 * {@link Dialer} for client connections. Each backs off when the application defines its own.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(PollerGroup.class)
@EnableConfigurationProperties(NetpollProperties.class)
public final class NetpollAutoConfiguration {

	/**
	 * Bean name of the worker executor.
	 */
	public static final String WORKER_EXECUTOR_BEAN_NAME = "netpollWorkerExecutor";

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	PollerGroup netpollPollerGroup(NetpollProperties properties,
			ObjectProvider<NetpollPollerGroupCustomizer> customizers) {
		NetpollProperties.Poller poller = properties.getPoller();
		PollerGroup group = PollerGroup.create(poller.determineCount(), poller.getLoadBalance());
		try {
			customizers.orderedStream().forEach((customizer) -> customizer.customize(group));
		}
		catch (RuntimeException ex) {
			group.close();
			throw ex;
		}
		return group;
	}

	@Bean(name = WORKER_EXECUTOR_BEAN_NAME, destroyMethod = "")
	@ConditionalOnMissingBean(name = WORKER_EXECUTOR_BEAN_NAME)
	Executor netpollWorkerExecutor(NetpollProperties properties, Environment environment) {
		NetpollProperties.Worker worker = properties.getWorker();
		Boolean virtual = worker.getVirtualThreads();
		boolean useVirtual = (virtual != null) ? virtual : Threading.VIRTUAL.isActive(environment);
		if (useVirtual) {
			if (Runtime.version().feature() < 21) {
				throw new IllegalStateException("netpoll.worker.virtual-threads=true needs Java 21 or later, this is Java "
						+ Runtime.version().feature() + "; remove the property or run on Java 21+");
			}
			return new VirtualThreadTaskExecutor(worker.getThreadNamePrefix());
		}
		CustomizableThreadFactory threads = new CustomizableThreadFactory(worker.getThreadNamePrefix());
		threads.setDaemon(true);
		int queue = worker.getQueueCapacity();
		return new ClosingThreadPoolExecutor(worker.getCoreSize(), worker.getMaxSize(),
				worker.getKeepAlive().toNanos(), TimeUnit.NANOSECONDS,
				(queue == 0) ? new SynchronousQueue<>() : new LinkedBlockingQueue<>(queue), threads);
	}

	@Bean
	@ConditionalOnMissingBean
	Dialer netpollDialer(NetpollProperties properties, PollerGroup pollerGroup,
			@Qualifier(WORKER_EXECUTOR_BEAN_NAME) Executor workerExecutor,
			ObjectProvider<NetpollDialerCustomizer> customizers) {
		List<Option> options = new ArrayList<>();
		options.add(Option.pollerGroup(pollerGroup));
		options.add(Option.executor(workerExecutor));
		NetpollOptions.addConnectionOptions(options, properties.getDialer().getConnection());
		customizers.orderedStream().forEach((customizer) -> customizer.customize(options));
		return Netpoll.newDialer(options.toArray(Option[]::new));
	}

	/**
	 * The platform-thread worker pool. Shut down (without waiting) when the context is
	 * destroyed, after the servers stopped: {@code ExecutorService.close()} would wait forever
	 * for a stuck handler on Java 19+.
	 */
	static final class ClosingThreadPoolExecutor extends ThreadPoolExecutor implements
			org.springframework.beans.factory.DisposableBean {

		ClosingThreadPoolExecutor(int core, int max, long keepAlive, TimeUnit unit,
				java.util.concurrent.BlockingQueue<Runnable> queue, CustomizableThreadFactory threads) {
			super(core, max, keepAlive, unit, queue, threads);
		}

		@Override
		public void destroy() {
			shutdown();
		}

	}

}
