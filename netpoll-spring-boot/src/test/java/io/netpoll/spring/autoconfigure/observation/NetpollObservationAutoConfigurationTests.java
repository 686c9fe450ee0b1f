package io.netpoll.spring.autoconfigure.observation;

import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.netpoll.Connection;
import io.netpoll.ConnectionClosedException;
import io.netpoll.Dialer;
import io.netpoll.OnRequest;
import io.netpoll.buffer.Reader;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.autoconfigure.NetpollAutoConfiguration;
import io.netpoll.spring.autoconfigure.NetpollServerAutoConfiguration;
import io.netpoll.spring.autoconfigure.metrics.NetpollMetricsAutoConfiguration;
import io.netpoll.spring.observation.DefaultNetpollHandlerObservationConvention;
import io.netpoll.spring.observation.NetpollHandlerObservationContext;
import io.netpoll.spring.observation.NetpollHandlerObservationConvention;
import io.netpoll.spring.observation.NetpollObservations;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServerCustomizer;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.NetpollTestClient;
import io.netpoll.spring.test.WatchBufferPools;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link NetpollObservationAutoConfiguration}: observations of {@code OnRequest}
 * calls over real loopback connections, with Micrometer's {@link TestObservationRegistry} (which
 * also validates that every observation is started, scoped and stopped in a legal order) and
 * with Boot's own observation and metrics auto-configuration.
 */
@Timeout(60)
class NetpollObservationAutoConfigurationTests {

    private static final String NAME = DefaultNetpollHandlerObservationConvention.NAME;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollObservationAutoConfiguration.class))
            .withPropertyValues("netpoll.server.address=127.0.0.1", "netpoll.server.port=0");

    @Test
    void observationsAreOffByDefault() {
        this.contextRunner
                .withUserConfiguration(TestRegistry.class, ObservedHandler.class)
                .run((context) -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(NetpollObservations.class);
                    assertThat(echo(context, "off")).isEqualTo("off");
                    assertThat(context.getBean(ObservedHandler.class).current)
                            .containsExactly((Observation.Context) null);
                    TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
                            .doesNotHaveAnyObservation();
                });
    }

    @Test
    void backsOffWithoutAnObservationRegistryBean() {
        this.contextRunner
                .withUserConfiguration(PlainHandler.class)
                .withPropertyValues("netpoll.observations.requests.enabled=true")
                .run((context) -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(NetpollObservations.class);
                    assertThat(echo(context, "plain")).isEqualTo("plain");
                });
    }

    @Test
    void backsOffWithoutMicrometerObservation() {
        this.contextRunner
                .withUserConfiguration(PlainHandler.class)
                .withPropertyValues("netpoll.observations.requests.enabled=true")
                .withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
                .run((context) -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(NetpollServer.class)
                        .doesNotHaveBean(NetpollObservations.class));
    }

    @Test
    void successfulCallIsObservedWithServerOutcomeAndException() {
        observed().run((context) -> {
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            assertThat(echo(context, "hello")).isEqualTo("hello");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> TestObservationRegistryAssert.assertThat(registry)
                            .hasObservationWithNameEqualTo(NAME)
                            .that()
                            .hasContextualNameEqualTo("netpoll default")
                            .hasLowCardinalityKeyValue("server", "default")
                            .hasLowCardinalityKeyValue("outcome", "success")
                            .hasLowCardinalityKeyValue("exception", "none")
                            .doesNotHaveError()
                            .doesNotHaveParentObservation()
                            .hasBeenStarted()
                            .hasBeenStopped());
            // The handler ran with its observation current on its thread (what propagation reads).
            Observation.Context current =
                    context.getBean(ObservedHandler.class).current.get(0);
            assertThat(current).isInstanceOf(NetpollHandlerObservationContext.class);
            assertThat(((NetpollHandlerObservationContext) current).getServerName())
                    .isEqualTo("default");
        });
    }

    @Test
    void throwingCallIsObservedAsAnErrorWithTheExceptionType() {
        observed().run((context) -> {
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            sendAndAwaitClose(context, "!boom");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> TestObservationRegistryAssert.assertThat(registry)
                            .hasObservationWithNameEqualTo(NAME)
                            .that()
                            .hasLowCardinalityKeyValue("server", "default")
                            .hasLowCardinalityKeyValue("outcome", "error")
                            .hasLowCardinalityKeyValue("exception", "IllegalStateException")
                            .hasBeenStopped()
                            .assertThatError()
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessage("asked to fail"));
        });
    }

    @Test
    void callFailingOnItsClosedConnectionIsObservedAsClosedNotAsAnError() {
        observed().run((context) -> {
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            sendAndAwaitClose(context, "Xclose");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> TestObservationRegistryAssert.assertThat(registry)
                            .hasObservationWithNameEqualTo(NAME)
                            .that()
                            .hasLowCardinalityKeyValue("outcome", "closed")
                            .hasLowCardinalityKeyValue("exception", "ConnectionClosedException")
                            .hasBeenStopped()
                            .assertThatError()
                            .isInstanceOf(ConnectionClosedException.class));
        });
    }

    @Test
    void namedServersAreObservedUnderTheirNames() {
        observed()
                .withUserConfiguration(AdminHandler.class)
                .withPropertyValues("netpoll.servers.admin.address=127.0.0.1", "netpoll.servers.admin.port=0")
                .run((context) -> {
                    TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
                    int adminPort = context.getBean("netpollServer.admin", NetpollServer.class)
                            .getPort();
                    assertThat(NetpollTestClient.echo(context.getBean(Dialer.class), adminPort, "adm"))
                            .isEqualTo("adm");
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> TestObservationRegistryAssert.assertThat(registry)
                                    .hasObservationWithNameEqualTo(NAME)
                                    .that()
                                    .hasContextualNameEqualTo("netpoll admin")
                                    .hasLowCardinalityKeyValue("server", "admin")
                                    .hasLowCardinalityKeyValue("outcome", "success"));
                });
    }

    /**
     * The worst handler for a thread-bound context: it throws, or leaves a scope of its own
     * open. On one thread (inline handlers, one poller) the next calls still start root
     * observations: nothing of an earlier call stays current.
     */
    @Test
    void noObservationOutlivesItsCallOnTheHandlersThread() {
        observed()
                .withUserConfiguration(InlineHandlers.class)
                .withPropertyValues("netpoll.poller.count=1")
                .run((context) -> {
                    TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
                    ObservedHandler handler = context.getBean(ObservedHandler.class);
                    sendAndAwaitClose(context, "!first");
                    assertThat(echo(context, "Lleaks a scope")).isEqualTo("Lleaks a scope");
                    assertThat(echo(context, "third")).isEqualTo("third");
                    assertThat(echo(context, "fourth")).isEqualTo("fourth");
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> assertThat(handlerContexts(registry))
                                    .hasSizeGreaterThanOrEqualTo(4)
                                    .allSatisfy((ctx) -> assertThat(ctx.getLowCardinalityKeyValues().stream())
                                            .anyMatch((kv) -> kv.getKey().equals("outcome"))));
                    assertThat(handler.threads).as("one thread ran every call").containsOnly(handler.threads.get(0));
                    assertThat(handlerContexts(registry))
                            .allSatisfy((ctx) -> assertThat(ctx.getParentObservation())
                                    .as("parent of %s", ctx.getLowCardinalityKeyValues())
                                    .isNull());
                    assertThat(handler.current)
                            .hasSize(4)
                            .allSatisfy((ctx) -> assertThat(ctx).isInstanceOf(NetpollHandlerObservationContext.class));
                    assertThat(handler.current).doesNotHaveDuplicates();
                });
    }

    @Test
    void conventionBeanReplacesTheDefault() {
        observed().withUserConfiguration(CustomConvention.class).run((context) -> {
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            assertThat(echo(context, "custom")).isEqualTo("custom");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> TestObservationRegistryAssert.assertThat(registry)
                            .hasObservationWithNameEqualTo("acme.netpoll")
                            .that()
                            .hasLowCardinalityKeyValue("server", "default")
                            .hasLowCardinalityKeyValue("outcome", "success")
                            .hasLowCardinalityKeyValue("tenant", "acme")
                            .hasBeenStopped());
        });
    }

    @Test
    void observationBeanOfTheApplicationWins() {
        observed()
                .withUserConfiguration(UserObservations.class)
                .run((context) -> assertThat(context.getBean(NetpollObservations.class))
                        .isSameAs(context.getBean("myObservations")));
    }

    /**
     * With Boot's observation and metrics auto-configuration, the observation is also the timer:
     * Micrometer's meter observation handler records {@code netpoll.server.handler} with the
     * observation's keys (plus its {@code error} tag), and the running calls in a long task
     * timer tagged by server only.
     */
    @Test
    void bootsMeterObservationHandlerTurnsTheObservationsIntoATimer() {
        new ApplicationContextRunner()
                .withInitializer(new WatchBufferPools())
                .withConfiguration(AutoConfigurations.of(
                        ObservationAutoConfiguration.class,
                        MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class,
                        NetpollAutoConfiguration.class,
                        NetpollServerAutoConfiguration.class,
                        NetpollMetricsAutoConfiguration.class,
                        NetpollObservationAutoConfiguration.class))
                .withUserConfiguration(PlainHandler.class)
                .withPropertyValues(
                        "netpoll.server.address=127.0.0.1",
                        "netpoll.server.port=0",
                        "netpoll.observations.requests.enabled=true")
                .run((context) -> {
                    assertThat(context).hasSingleBean(NetpollObservations.class);
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(echo(context, "timed")).isEqualTo("timed");
                    sendAndAwaitClose(context, "!boom");
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        Timer success = meters.get(NAME)
                                .tags("server", "default", "outcome", "success", "exception", "none")
                                .timer();
                        assertThat(success.count()).isGreaterThanOrEqualTo(1);
                        Timer error = meters.get(NAME)
                                .tags(
                                        "server",
                                        "default",
                                        "outcome",
                                        "error",
                                        "exception",
                                        "IllegalStateException",
                                        "error",
                                        "IllegalStateException")
                                .timer();
                        assertThat(error.count()).isEqualTo(1);
                    });
                    LongTaskTimer active = meters.get(NAME + ".active")
                            .tags("server", "default")
                            .longTaskTimer();
                    assertThat(active.getId().getTags())
                            .as("known at start: the server only")
                            .hasSize(1);
                    await().atMost(Duration.ofSeconds(10)).until(() -> active.activeTasks() == 0);
                });
    }

    @Test
    void bootsEnableSwitchTurnsTheObservationOff() {
        new ApplicationContextRunner()
                .withInitializer(new WatchBufferPools())
                .withConfiguration(AutoConfigurations.of(
                        ObservationAutoConfiguration.class,
                        NetpollAutoConfiguration.class,
                        NetpollServerAutoConfiguration.class,
                        NetpollObservationAutoConfiguration.class))
                .withUserConfiguration(ObservedHandler.class, RecordingHandlerConfiguration.class)
                .withPropertyValues(
                        "netpoll.server.address=127.0.0.1",
                        "netpoll.server.port=0",
                        "netpoll.observations.requests.enabled=true",
                        "management.observations.enable.netpoll=false")
                .run((context) -> {
                    assertThat(context).hasSingleBean(NetpollObservations.class);
                    assertThat(echo(context, "quiet")).isEqualTo("quiet");
                    assertThat(context.getBean(RecordingHandler.class).started).isEmpty();
                });
    }

    private ApplicationContextRunner observed() {
        return this.contextRunner
                .withUserConfiguration(TestRegistry.class, ObservedHandler.class)
                .withPropertyValues("netpoll.observations.requests.enabled=true");
    }

    private static String echo(AssertableApplicationContext context, String message) throws Exception {
        int port = context.getBean("netpollServer", NetpollServer.class).getPort();
        return NetpollTestClient.echo(context.getBean(Dialer.class), port, message);
    }

    private static void sendAndAwaitClose(AssertableApplicationContext context, String message) throws Exception {
        int port = context.getBean("netpollServer", NetpollServer.class).getPort();
        try (Connection connection = NetpollTestClient.connect(context.getBean(Dialer.class), port)) {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            connection.writer().writeBinary(bytes, 0, bytes.length);
            connection.writer().flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isActive());
        }
    }

    private static List<NetpollHandlerObservationContext> handlerContexts(TestObservationRegistry registry) {
        List<NetpollHandlerObservationContext> found = new ArrayList<>();
        TestObservationRegistryAssert.assertThat(registry).hasHandledContextsThatSatisfy((contexts) -> {
            for (Observation.Context context : contexts) {
                if (context instanceof NetpollHandlerObservationContext handlerContext) {
                    found.add(handlerContext);
                }
            }
        });
        return found;
    }

    @Configuration(proxyBeanMethods = false)
    static class TestRegistry {

        @Bean
        TestObservationRegistry observationRegistry() {
            return TestObservationRegistry.create();
        }
    }

    /**
     * Echoes, and records the observation current on its thread. {@code '!'} throws;
     * {@code 'X'} closes its own connection and then writes (a ConnectionClosedException, as
     * when the peer leaves); {@code 'L'} opens a scope of its own and never closes it.
     */
    @NetpollHandler
    static class ObservedHandler implements OnRequest<Object> {

        final List<Observation.@Nullable Context> current = new CopyOnWriteArrayList<>();

        final List<Thread> threads = new CopyOnWriteArrayList<>();

        private final ObservationRegistry registry;

        ObservedHandler(ObservationRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void onRequest(@Nullable Object context, Connection connection) throws Exception {
            Reader reader = connection.reader();
            int n = reader.len();
            if (n == 0) {
                return;
            }
            byte[] bytes = reader.readBinary(n);
            Observation observation = this.registry.getCurrentObservation();
            this.current.add((observation != null) ? observation.getContext() : null);
            this.threads.add(Thread.currentThread());
            if (bytes[0] == '!') {
                throw new IllegalStateException("asked to fail");
            }
            if (bytes[0] == 'X') {
                connection.close();
                connection.writer().writeBinary(bytes, 0, bytes.length); // throws ConnectionClosedException
            }
            if (bytes[0] == 'L') {
                Observation.start("leaky", this.registry).openScope();
            }
            connection.writer().writeBinary(bytes, 0, bytes.length);
            connection.writer().flush();
        }
    }

    @NetpollHandler
    static class PlainHandler extends EchoHandler {}

    @NetpollHandler("admin")
    static class AdminHandler extends EchoHandler {}

    @Configuration(proxyBeanMethods = false)
    static class InlineHandlers {

        @Bean
        NetpollServerCustomizer inline() {
            return (server, config) -> config.handlerMode(io.netpoll.HandlerMode.INLINE);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomConvention {

        @Bean
        NetpollHandlerObservationConvention acmeConvention() {
            return new DefaultNetpollHandlerObservationConvention() {

                @Override
                public String getName() {
                    return "acme.netpoll";
                }

                @Override
                public KeyValues getLowCardinalityKeyValues(NetpollHandlerObservationContext context) {
                    return super.getLowCardinalityKeyValues(context).and("tenant", "acme");
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserObservations {

        @Bean
        NetpollObservations myObservations(ObservationRegistry registry) {
            return new NetpollObservations(registry, null);
        }
    }

    /**
     * An observation handler that records what starts, for Boot's registry.
     */
    static class RecordingHandler implements io.micrometer.observation.ObservationHandler<Observation.Context> {

        final List<String> started = new CopyOnWriteArrayList<>();

        @Override
        public void onStart(Observation.Context context) {
            this.started.add(context.getName());
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RecordingHandlerConfiguration {

        @Bean
        RecordingHandler recordingHandler() {
            return new RecordingHandler();
        }
    }
}
