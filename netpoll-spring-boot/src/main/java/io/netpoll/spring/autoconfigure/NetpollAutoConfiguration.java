package io.netpoll.spring.autoconfigure;

import io.netpoll.Dialer;
import io.netpoll.DialerConfig;
import io.netpoll.Netpoll;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.server.NetpollDialerCustomizer;
import io.netpoll.spring.server.NetpollPollerGroupCustomizer;
import io.netpoll.spring.server.NetpollStartupException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.Assert;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for netpoll's engine: the
 * {@link PollerGroup} (pollers, and netpoll-core's worker pool that runs handlers), the
 * context's {@link BufferPool} (connection buffer memory, freed with the context), a worker
 * executor of the context when {@code netpoll.worker.*} asks for one, and the {@link Dialer}
 * for client connections. Each backs off when the application defines its own.
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

    private static final Log logger = LogFactory.getLog(NetpollAutoConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    PollerGroup netpollPollerGroup(
            NetpollProperties properties,
            ObjectProvider<NetpollPollerGroupCustomizer> customizers,
            Environment environment) {
        logVirtualThreadFallback(environment);
        NetpollProperties.Poller poller = properties.getPoller();
        PollerGroup group = PollerGroup.create(poller.determineCount(), poller.getLoadBalance());
        try {
            Duration spin = poller.getSpinBeforeBlock();
            if (spin != null) {
                group.setSpinBeforeBlock(spin);
            }
            customizers.orderedStream().forEach((customizer) -> customizer.customize(group));
        } catch (RuntimeException ex) {
            group.close();
            throw ex;
        }
        return group;
    }

    /**
     * The context's buffer memory, rather than netpoll-core's JVM-wide default pool: its ceiling,
     * budget, decay and leak detection come from {@code netpoll.buffer.*}, its meters show this context's
     * memory only, and closing the context frees what it pooled (another context in the same
     * JVM, a test's or a restarted one's, starts from its own).
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    BufferPool netpollBufferPool(NetpollProperties properties) {
        NetpollProperties.Buffer buffer = properties.getBuffer();
        BufferPool.Builder pool = BufferPool.builder();
        if (buffer.getMaxPooledMemory() != null) {
            pool.maxPooledBytes(buffer.getMaxPooledMemory().toBytes());
        }
        if (buffer.getMaxDirectMemory() != null) {
            pool.maxDirectBytes(buffer.getMaxDirectMemory().toBytes());
        }
        if (buffer.getDecay() != null) {
            pool.decay(buffer.getDecay());
        }
        if (buffer.getLeakDetection() != null) {
            pool.leakDetection(buffer.getLeakDetection());
        }
        return pool.build();
    }

    @Bean(name = WORKER_EXECUTOR_BEAN_NAME, destroyMethod = "")
    @ConditionalOnMissingBean(name = WORKER_EXECUTOR_BEAN_NAME)
    @Conditional(OnWorkerExecutorCondition.class)
    Executor netpollWorkerExecutor(NetpollProperties properties, Environment environment) {
        NetpollProperties.Worker worker = properties.getWorker();
        if (useVirtualThreads(environment)) {
            if (Runtime.version().feature() < 21) {
                throw new NetpollStartupException(
                        "netpoll.worker.virtual-threads=true needs Java 21 or later; this is Java "
                                + Runtime.version().feature() + ".",
                        "Remove 'netpoll.worker.virtual-threads' (handlers then run on platform threads), or run on Java 21+.");
            }
            return new VirtualThreadTaskExecutor(worker.getThreadNamePrefix());
        }
        CustomizableThreadFactory threads = new CustomizableThreadFactory(worker.getThreadNamePrefix());
        threads.setDaemon(true);
        int queue = worker.getQueueCapacity();
        Assert.state(worker.getMaxSize() != null, "netpoll.worker.max-size is not set");
        return new ClosingThreadPoolExecutor(
                worker.getCoreSize(),
                worker.getMaxSize(),
                worker.getKeepAlive().toNanos(),
                TimeUnit.NANOSECONDS,
                (queue == 0) ? new SynchronousQueue<>() : new LinkedBlockingQueue<>(queue),
                threads);
    }

    @Bean
    @ConditionalOnMissingBean
    Dialer netpollDialer(
            NetpollProperties properties,
            PollerGroup pollerGroup,
            ObjectProvider<BufferPool> bufferPool,
            @Qualifier(WORKER_EXECUTOR_BEAN_NAME) ObjectProvider<Executor> workerExecutor,
            ObjectProvider<NetpollDialerCustomizer> customizers) {
        NetpollProperties.Dialer dialer = properties.getDialer();
        DialerConfig.Builder config = DialerConfig.builder().pollerGroup(pollerGroup);
        NetpollOptions.bufferPool(config, bufferPool);
        workerExecutor.ifAvailable(config::executor);
        config.connectTimeout(dialer.getConnectTimeout());
        NetpollOptions.socketBuffers(config, dialer.getSendBufferSize(), dialer.getReceiveBufferSize());
        NetpollOptions.connection(config, dialer.getConnection());
        customizers.orderedStream().forEach((customizer) -> customizer.customize(config));
        return Netpoll.newDialer(config.build());
    }

    /**
     * {@code spring.threads.virtual.enabled=true} asks for virtual threads where the JVM has
     * them: on Java 17 Boot falls back to platform threads silently, and so do netpoll's
     * handlers; say so once, since the application asked for something it does not get.
     */
    static void logVirtualThreadFallback(Environment environment) {
        if (Runtime.version().feature() < 21
                && environment.getProperty("spring.threads.virtual.enabled", Boolean.class, false)
                && !environment.containsProperty("netpoll.worker.virtual-threads")) {
            logger.info("spring.threads.virtual.enabled=true, but this is Java "
                    + Runtime.version().feature()
                    + " (virtual threads need Java 21+): netpoll handlers run on platform threads");
        }
    }

    static boolean useVirtualThreads(Environment environment) {
        Boolean virtual = Binder.get(environment)
                .bind("netpoll.worker.virtual-threads", Boolean.class)
                .orElse(null);
        return (virtual != null) ? virtual : Threading.VIRTUAL.isActive(environment);
    }

    /**
     * Matches when the application asks for a worker executor of its own: virtual threads
     * (explicitly or through {@code spring.threads.virtual.enabled}) or
     * {@code netpoll.worker.max-size}. Otherwise handlers run on netpoll-core's pool.
     */
    static final class OnWorkerExecutorCondition extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            ConditionMessage.Builder message = ConditionMessage.forCondition("netpoll worker executor");
            Environment environment = context.getEnvironment();
            if (useVirtualThreads(environment)) {
                return ConditionOutcome.match(message.because("virtual threads are enabled"));
            }
            if (environment.containsProperty("netpoll.worker.max-size")) {
                return ConditionOutcome.match(message.foundExactly("netpoll.worker.max-size"));
            }
            return ConditionOutcome.noMatch(message.because("handlers run on netpoll-core's worker pool"));
        }
    }

    /**
     * The platform-thread worker pool. Shut down (without waiting) when the context is
     * destroyed, after the servers stopped: {@code ExecutorService.close()} would wait forever
     * for a stuck handler on Java 19+.
     */
    static final class ClosingThreadPoolExecutor extends ThreadPoolExecutor
            implements org.springframework.beans.factory.DisposableBean {

        ClosingThreadPoolExecutor(
                int core,
                int max,
                long keepAlive,
                TimeUnit unit,
                java.util.concurrent.BlockingQueue<Runnable> queue,
                CustomizableThreadFactory threads) {
            super(core, max, keepAlive, unit, queue, threads);
        }

        @Override
        public void destroy() {
            shutdown();
        }
    }
}
