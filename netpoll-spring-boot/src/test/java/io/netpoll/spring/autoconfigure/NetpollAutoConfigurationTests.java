package io.netpoll.spring.autoconfigure;

import io.netpoll.Dialer;
import io.netpoll.LoadBalance;
import io.netpoll.Netpoll;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LeakDetection;
import io.netpoll.spring.server.NetpollDialerCustomizer;
import io.netpoll.spring.server.NetpollPollerGroupCustomizer;
import io.netpoll.spring.server.NetpollStartupException;
import io.netpoll.spring.test.WatchBufferPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.util.unit.DataSize;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link NetpollAutoConfiguration} and {@link NetpollProperties}.
 */
class NetpollAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(
                    AutoConfigurations.of(NetpollAutoConfiguration.class, NetpollServerAutoConfiguration.class));

    @Test
    void defaultsCreatePollerGroupWorkerExecutorAndDialer() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(PollerGroup.class).hasSingleBean(Dialer.class);
            assertThat(context).as("handlers run on netpoll-core's pool").doesNotHaveBean("netpollWorkerExecutor");
            PollerGroup group = context.getBean(PollerGroup.class);
            assertThat(group.numLoops()).isEqualTo(PollerGroup.defaultNumLoops());
            assertThat(group.loadBalance()).isEqualTo(LoadBalance.ROUND_ROBIN);
            assertThat(group.spinBeforeBlock()).isEqualTo(PollerGroup.defaultSpinBeforeBlock());
            assertThat(group).isNotSameAs(Netpoll.defaultGroup());
            NetpollProperties properties = context.getBean(NetpollProperties.class);
            assertThat(properties.getServer().getPort()).isEqualTo(8888);
            assertThat(properties.getServer().getBacklog()).isEqualTo(1024);
            assertThat(properties.getServer().getMaxConnections()).isEqualTo(-1);
            assertThat(properties.getServer().getConnection().isTcpKeepAlive()).isTrue();
            assertThat(properties.getServer().getConnection().isTcpNoDelay()).isTrue();
            assertThat(properties.getServer().getConnection().getReadTimeout()).isNull();
            assertThat(properties.getServer().getSendBufferSize()).isNull();
            assertThat(properties.getDialer().getSendBufferSize()).isNull();
            assertThat(properties.getDialer().getReceiveBufferSize()).isNull();
        });
    }

    @Test
    void theContextOwnsABufferPoolWithNetpollCoresDefaults() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(BufferPool.class).hasBean("netpollBufferPool");
            BufferPool pool = context.getBean(BufferPool.class);
            assertThat(pool).isNotSameAs(BufferPool.defaultPool());
            assertThat(pool.stats().maxPooledBytes()).isEqualTo(BufferPool.defaultMaxPooledBytes());
            assertThat(pool.leakDetection())
                    .as("the system property's level, as the default pool")
                    .isEqualTo(BufferPool.defaultPool().leakDetection());
            assertThat(pool.isClosed()).isFalse();
        });
    }

    @Test
    void bufferPropertiesAreApplied() {
        this.contextRunner
                .withPropertyValues("netpoll.buffer.max-pooled-memory=4MB", "netpoll.buffer.leak-detection=disabled")
                .run((context) -> {
                    BufferPool pool = context.getBean(BufferPool.class);
                    assertThat(pool.stats().maxPooledBytes())
                            .isEqualTo(DataSize.ofMegabytes(4).toBytes());
                    assertThat(pool.leakDetection()).isEqualTo(LeakDetection.DISABLED);
                });
    }

    @Test
    void bufferBudgetAndDecayPropertiesAreApplied() {
        this.contextRunner
                .withPropertyValues("netpoll.buffer.max-direct-memory=32MB", "netpoll.buffer.decay=0")
                .run((context) -> {
                    BufferPool pool = context.getBean(BufferPool.class);
                    assertThat(pool.maxDirectBytes())
                            .isEqualTo(DataSize.ofMegabytes(32).toBytes());
                    assertThat(pool.stats().maxDirectBytes())
                            .isEqualTo(DataSize.ofMegabytes(32).toBytes());
                    assertThat(pool.decay()).isEqualTo(Duration.ZERO);
                });
        this.contextRunner.run((context) -> {
            BufferPool pool = context.getBean(BufferPool.class);
            assertThat(pool.maxDirectBytes()).isEqualTo(BufferPool.defaultMaxDirectBytes());
            assertThat(pool.decay()).isEqualTo(BufferPool.defaultDecay());
        });
    }

    @Test
    void bufferPoolIsClosedWithTheContext() {
        BufferPool[] pool = new BufferPool[1];
        this.contextRunner.run((context) -> pool[0] = context.getBean(BufferPool.class));
        assertThat(pool[0].isClosed()).isTrue();
        assertThat(pool[0].stats().pooledBytes()).isZero();
    }

    @Test
    void applicationsBufferPoolReplacesTheContexts() {
        this.contextRunner.withUserConfiguration(UserBufferPool.class).run((context) -> {
            assertThat(context).hasSingleBean(BufferPool.class).doesNotHaveBean("netpollBufferPool");
            assertThat(context.getBean(BufferPool.class)).isSameAs(UserBufferPool.POOL);
        });
    }

    @Test
    void dialerHasATenSecondConnectTimeoutByDefault() {
        this.contextRunner.run((context) ->
                assertThat(context.getBean(Dialer.class).connectTimeout()).isEqualTo(Duration.ofSeconds(10)));
    }

    @Test
    void dialerConnectTimeoutIsApplied() {
        this.contextRunner
                .withPropertyValues("netpoll.dialer.connect-timeout=2s")
                .run((context) -> assertThat(context.getBean(Dialer.class).connectTimeout())
                        .isEqualTo(Duration.ofSeconds(2)));
        this.contextRunner
                .withPropertyValues("netpoll.dialer.connect-timeout=0")
                .run((context) -> assertThat(context.getBean(Dialer.class).connectTimeout())
                        .as("0 waits as long as the OS does")
                        .isNull());
    }

    @Test
    void dialerBeanRefusesAClosedLoopbackPortAtOnce() throws Exception {
        int port;
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        this.contextRunner.run((context) -> assertThatExceptionOfType(ConnectException.class)
                .isThrownBy(() -> context.getBean(Dialer.class).dialConnection("tcp", "127.0.0.1:" + port)));
    }

    @Test
    void pollerGroupIsClosedWithTheContext() {
        PollerGroup[] group = new PollerGroup[1];
        this.contextRunner.run((context) -> group[0] = context.getBean(PollerGroup.class));
        assertThat(group[0].isClosed()).isTrue();
    }

    @Test
    void maxSizeAloneGivesADirectHandOffPool() {
        this.contextRunner.withPropertyValues("netpoll.worker.max-size=8").run((context) -> {
            ThreadPoolExecutor worker = context.getBean("netpollWorkerExecutor", ThreadPoolExecutor.class);
            assertThat(worker.getCorePoolSize()).isZero();
            assertThat(worker.getMaximumPoolSize()).isEqualTo(8);
            assertThat(worker.getKeepAliveTime(TimeUnit.SECONDS)).isEqualTo(60);
            assertThat(worker.getQueue()).isInstanceOf(SynchronousQueue.class);
        });
    }

    @Test
    void pollerAndWorkerPropertiesAreApplied() {
        this.contextRunner
                .withPropertyValues(
                        "netpoll.poller.count=3",
                        "netpoll.poller.load-balance=random",
                        "netpoll.poller.spin-before-block=20us",
                        "netpoll.worker.core-size=2",
                        "netpoll.worker.max-size=16",
                        "netpoll.worker.queue-capacity=100",
                        "netpoll.worker.keep-alive=5s",
                        "netpoll.worker.thread-name-prefix=handlers-")
                .run((context) -> {
                    PollerGroup group = context.getBean(PollerGroup.class);
                    assertThat(group.numLoops()).isEqualTo(3);
                    assertThat(group.loadBalance()).isEqualTo(LoadBalance.RANDOM);
                    assertThat(group.spinBeforeBlock()).isEqualTo(Duration.ofNanos(20_000));
                    ThreadPoolExecutor worker = context.getBean("netpollWorkerExecutor", ThreadPoolExecutor.class);
                    assertThat(worker.getCorePoolSize()).isEqualTo(2);
                    assertThat(worker.getMaximumPoolSize()).isEqualTo(16);
                    assertThat(worker.getQueue().remainingCapacity()).isEqualTo(100);
                    assertThat(worker.getKeepAliveTime(TimeUnit.SECONDS)).isEqualTo(5);
                    String[] name = new String[1];
                    worker.submit(() -> name[0] = Thread.currentThread().getName())
                            .get();
                    assertThat(name[0]).startsWith("handlers-");
                });
    }

    @Test
    void everyServerAndDialerPropertyIsBound() {
        this.contextRunner
                .withPropertyValues(
                        "netpoll.server.enabled=false",
                        "netpoll.server.network=tcp4",
                        "netpoll.server.address=127.0.0.1",
                        "netpoll.server.port=0",
                        "netpoll.server.backlog=50",
                        "netpoll.server.max-connections=10",
                        "netpoll.server.receive-buffer-size=64KB",
                        "netpoll.server.connection.read-timeout=1s",
                        "netpoll.server.connection.write-timeout=2s",
                        "netpoll.server.connection.idle-timeout=3m",
                        "netpoll.server.connection.tcp-keep-alive=false",
                        "netpoll.server.connection.tcp-no-delay=false",
                        "netpoll.server.shutdown.grace-period=7s",
                        "netpoll.server.connection.max-input-buffer=1MB",
                        "netpoll.dialer.connection.max-input-buffer=2MB",
                        "netpoll.server.connection.max-output-buffer=3MB",
                        "netpoll.servers.admin.enabled=false",
                        "netpoll.servers.admin.network=unix",
                        "netpoll.servers.admin.path=/tmp/admin.sock",
                        "netpoll.dialer.connection.read-timeout=4s",
                        "netpoll.dialer.connection.write-timeout=5s",
                        "netpoll.dialer.connection.idle-timeout=6s",
                        "netpoll.dialer.connection.tcp-keep-alive=false",
                        "netpoll.dialer.connection.tcp-no-delay=false",
                        "netpoll.metrics.requests.enabled=true",
                        "netpoll.server.send-buffer-size=32KB",
                        "netpoll.servers.admin.send-buffer-size=16KB",
                        "netpoll.dialer.connect-timeout=750ms",
                        "netpoll.dialer.send-buffer-size=8KB",
                        "netpoll.dialer.receive-buffer-size=24KB",
                        "netpoll.buffer.max-pooled-memory=16MB",
                        "netpoll.buffer.leak-detection=paranoid")
                .run((context) -> {
                    NetpollProperties properties = context.getBean(NetpollProperties.class);
                    NetpollProperties.Server server = properties.getServer();
                    assertThat(server.isEnabled()).isFalse();
                    assertThat(server.getNetwork().name()).isEqualTo("TCP4");
                    assertThat(server.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
                    assertThat(server.getPort()).isZero();
                    assertThat(server.getBacklog()).isEqualTo(50);
                    assertThat(server.getMaxConnections()).isEqualTo(10);
                    assertThat(server.getReceiveBufferSize()).isEqualTo(DataSize.ofKilobytes(64));
                    assertThat(server.getConnection().getReadTimeout()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(server.getConnection().getWriteTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(server.getConnection().getIdleTimeout()).isEqualTo(Duration.ofMinutes(3));
                    assertThat(server.getConnection().isTcpKeepAlive()).isFalse();
                    assertThat(server.getConnection().isTcpNoDelay()).isFalse();
                    assertThat(server.getShutdown().getGracePeriod()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(server.getConnection().getMaxInputBuffer()).isEqualTo(DataSize.ofMegabytes(1));
                    assertThat(server.getConnection().getMaxOutputBuffer()).isEqualTo(DataSize.ofMegabytes(3));
                    assertThat(properties.getDialer().getConnection().getMaxOutputBuffer())
                            .isEqualTo(DataSize.ofMegabytes(64));
                    NetpollProperties.Server admin = properties.getServers().get("admin");
                    assertThat(admin.getNetwork().name()).isEqualTo("UNIX");
                    assertThat(admin.getPath()).hasToString("/tmp/admin.sock");
                    NetpollProperties.Connection dialer = properties.getDialer().getConnection();
                    assertThat(dialer.getReadTimeout()).isEqualTo(Duration.ofSeconds(4));
                    assertThat(dialer.getWriteTimeout()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(dialer.getIdleTimeout()).isEqualTo(Duration.ofSeconds(6));
                    assertThat(dialer.isTcpKeepAlive()).isFalse();
                    assertThat(dialer.isTcpNoDelay()).isFalse();
                    assertThat(dialer.getMaxInputBuffer()).isEqualTo(DataSize.ofMegabytes(2));
                    assertThat(properties.getMetrics().getRequests().isEnabled())
                            .isTrue();
                    assertThat(server.getSendBufferSize()).isEqualTo(DataSize.ofKilobytes(32));
                    assertThat(admin.getSendBufferSize()).isEqualTo(DataSize.ofKilobytes(16));
                    assertThat(properties.getDialer().getConnectTimeout()).isEqualTo(Duration.ofMillis(750));
                    assertThat(properties.getDialer().getSendBufferSize()).isEqualTo(DataSize.ofKilobytes(8));
                    assertThat(properties.getDialer().getReceiveBufferSize()).isEqualTo(DataSize.ofKilobytes(24));
                    assertThat(properties.getBuffer().getMaxPooledMemory()).isEqualTo(DataSize.ofMegabytes(16));
                    assertThat(properties.getBuffer().getLeakDetection()).isEqualTo(LeakDetection.PARANOID);
                });
    }

    @Test
    void userBeansReplaceAutoConfiguredOnes() {
        this.contextRunner.withUserConfiguration(UserBeans.class).run((context) -> {
            assertThat(context).hasSingleBean(PollerGroup.class).hasSingleBean(Dialer.class);
            assertThat(context.getBean(PollerGroup.class)).isSameAs(context.getBean("myGroup"));
            assertThat(context.getBean(Dialer.class)).isSameAs(context.getBean("myDialer"));
            assertThat(context.getBean("netpollWorkerExecutor")).isSameAs(UserBeans.EXECUTOR);
        });
    }

    @Test
    void customizersAdjustPollerGroupAndDialer() {
        this.contextRunner.withUserConfiguration(Customizers.class).run((context) -> {
            assertThat(context.getBean(PollerGroup.class).numLoops()).isEqualTo(2);
            assertThat(context.getBean(io.netpoll.Dialer.class).config().readTimeout())
                    .isEqualTo(Duration.ofSeconds(9));
        });
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadsBeforeJava21FailWithAClearMessage() {
        this.contextRunner
                .withPropertyValues("netpoll.worker.virtual-threads=true")
                .run((context) -> {
                    assertThat(context).getFailure().rootCause().isInstanceOf(NetpollStartupException.class);
                    // Reported by the failure analyzer (description and action), not as a stack trace.
                    FailureAnalysis analysis = new NetpollFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription()).contains("needs Java 21 or later");
                    assertThat(analysis.getAction()).contains("Remove 'netpoll.worker.virtual-threads'");
                });
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    @ExtendWith(OutputCaptureExtension.class)
    void springThreadsVirtualEnabledBeforeJava21FallsBackToPlatformThreadsWithAnInfoLine(CapturedOutput output) {
        this.contextRunner
                .withPropertyValues("spring.threads.virtual.enabled=true")
                .run((context) -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean("netpollWorkerExecutor");
                    assertThat(output)
                            .containsOnlyOnce("netpoll handlers run on platform threads")
                            .contains("INFO");
                });
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadsFollowSpringThreadsVirtualEnabled() {
        this.contextRunner
                .withPropertyValues("spring.threads.virtual.enabled=true")
                .run((context) -> assertThat(context.getBean("netpollWorkerExecutor"))
                        .isInstanceOf(VirtualThreadTaskExecutor.class));
    }

    @Test
    void negativeTimeoutFailsWithTheKeyAndWhatToChange() {
        assertFailure(
                "netpoll.server.connection.read-timeout=-1s",
                "netpoll.server.connection.read-timeout",
                "must not be negative");
    }

    @Test
    void unknownNetworkFailsListingTheValidOnes() {
        assertFailure("netpoll.server.network=udp", "netpoll.server.network", "tcp4");
    }

    @Test
    void portOutOfRangeFails() {
        assertFailure("netpoll.servers.admin.port=70000", "netpoll.servers.admin.port", "between 0 and 65535");
    }

    @Test
    void serverNamedDefaultInServersFails() {
        assertFailure("netpoll.servers.default.port=1", "netpoll.servers", "configure it there");
    }

    @Test
    void unixServerWithoutPathFails() {
        assertFailure("netpoll.server.network=unix", "netpoll.server.path", "is required");
    }

    @Test
    void invalidWorkerSizesFail() {
        assertFailure(
                "netpoll.worker.core-size=8,netpoll.worker.max-size=4", "netpoll.worker.max-size", "must be at least");
    }

    @Test
    void maxOutputBufferAboveTwoGigabytesFails() {
        assertFailure(
                "netpoll.server.connection.max-output-buffer=3GB",
                "netpoll.server.connection.max-output-buffer",
                "between 1B and 2GB");
    }

    @Test
    void maxInputBufferAboveTwoGigabytesFails() {
        assertFailure(
                "netpoll.dialer.connection.max-input-buffer=3GB",
                "netpoll.dialer.connection.max-input-buffer",
                "between 1B and 2GB");
    }

    @Test
    void negativeConnectTimeoutFails() {
        assertFailure(
                "netpoll.dialer.connect-timeout=-1s",
                "netpoll.dialer.connect-timeout",
                "0 to wait as long as the OS does");
    }

    @Test
    void negativeBufferCeilingFails() {
        assertFailure("netpoll.buffer.max-pooled-memory=-1MB", "netpoll.buffer.max-pooled-memory", "0 to pool nothing");
        assertFailure("netpoll.buffer.max-direct-memory=0", "netpoll.buffer.max-direct-memory", "must be positive");
        assertFailure("netpoll.buffer.decay=-1s", "netpoll.buffer.decay", "must not be negative");
    }

    @Test
    void unknownLeakDetectionLevelFailsListingTheValidOnes() {
        assertFailure("netpoll.buffer.leak-detection=always", "netpoll.buffer.leak-detection", "PARANOID");
    }

    @Test
    void nonPositiveSocketBufferSizesFail() {
        assertFailure("netpoll.server.send-buffer-size=0", "netpoll.server.send-buffer-size", "positive size");
        assertFailure("netpoll.dialer.receive-buffer-size=-4KB", "netpoll.dialer.receive-buffer-size", "positive size");
        assertFailure("netpoll.dialer.send-buffer-size=3GB", "netpoll.dialer.send-buffer-size", "up to 2GB");
    }

    @Test
    void invalidPollerCountFails() {
        assertFailure("netpoll.poller.count=0", "netpoll.poller.count", "between 1 and 1024");
    }

    @Test
    void aSpinBeforeBlockAboveAMillisecondFails() {
        assertFailure(
                "netpoll.poller.spin-before-block=2ms",
                "netpoll.poller.spin-before-block",
                "between 0 (no spin) and 1ms");
    }

    @Test
    void unknownNetworkListsTheValidValuesInLowerCaseAsTheDocsWriteThem() {
        this.contextRunner.withPropertyValues("netpoll.server.network=udp").run((context) -> {
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getAction())
                    .contains("tcp", "tcp4", "tcp6", "unix")
                    .doesNotContain("TCP4", "UNIX");
        });
    }

    @Test
    void negativeTimeoutIsReportedWithItsOrigin() {
        this.contextRunner
                .withPropertyValues("netpoll.server.connection.read-timeout=-1s")
                .run((context) -> {
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    // The key as written, and where (file and line for application.properties).
                    assertThat(analysis.getDescription())
                            .contains("Property: netpoll.server.connection.")
                            .contains("Value: \"-1s\"")
                            .contains("Origin: \"netpoll.server.connection.read-timeout\" from property source")
                            .contains("must not be negative");
                });
    }

    @Test
    void namedServerCalledDefaultIsReportedByItsKeyNotAnUnrelatedOne() {
        this.contextRunner
                .withPropertyValues("netpoll.servers.default.port=9000")
                .run((context) -> {
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription())
                            .contains("'netpoll.servers.default.*'")
                            .contains("configure it there")
                            .doesNotContain("netpoll.servers.default.enabled")
                            .doesNotContain("Value: \"null\"");
                });
    }

    @Test
    void invalidServerNameIsReportedByItsKeyNotTheBoundObject() {
        this.contextRunner
                .withPropertyValues("netpoll.servers[Admin_1].port=9000")
                .run((context) -> {
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription())
                            .contains("server name 'Admin_1' must be lower-case")
                            .doesNotContain("NetpollProperties$Server@");
                });
    }

    private void assertFailure(String properties, String key, String reason) {
        this.contextRunner.withPropertyValues(properties.split(",")).run((context) -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis).as("failure analysis").isNotNull();
            assertThat(analysis.getDescription()).contains(key);
            assertThat(analysis.getDescription() + analysis.getAction()).contains(reason);
            assertThat(analysis.getAction()).isNotBlank();
        });
    }

    static FailureAnalysis analyze(Throwable failure) {
        for (FailureAnalyzer analyzer : SpringFactoriesLoader.forDefaultResourceLocation()
                .load(
                        FailureAnalyzer.class,
                        SpringFactoriesLoader.ArgumentResolver.of(
                                        org.springframework.beans.factory.BeanFactory.class,
                                        new org.springframework.beans.factory.support.DefaultListableBeanFactory())
                                .and(
                                        org.springframework.core.env.Environment.class,
                                        new org.springframework.core.env.StandardEnvironment()),
                        SpringFactoriesLoader.FailureHandler.logging(
                                org.apache.commons.logging.LogFactory.getLog(NetpollAutoConfigurationTests.class)))) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null) {
                return analysis;
            }
        }
        return null;
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBeans {

        static final Executor EXECUTOR = Runnable::run;

        @Bean(destroyMethod = "close")
        PollerGroup myGroup() {
            return PollerGroup.create(1);
        }

        @Bean
        Dialer myDialer() {
            return Netpoll.newDialer();
        }

        @Bean
        Executor netpollWorkerExecutor() {
            return EXECUTOR;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBufferPool {

        static final BufferPool POOL = BufferPool.create(1 << 20);

        @Bean(destroyMethod = "")
        BufferPool myBufferPool() {
            return POOL;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {

        @Bean
        NetpollPollerGroupCustomizer twoPollers() {
            return (group) -> group.setNumLoops(2);
        }

        @Bean
        NetpollDialerCustomizer dialerCustomizer() {
            return (config) -> config.readTimeout(Duration.ofSeconds(9));
        }
    }
}
