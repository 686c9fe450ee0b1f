package io.netpoll.spring.autoconfigure;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.EventLoop;
import io.netpoll.Netpoll;
import io.netpoll.OnConnect;
import io.netpoll.OnRequest;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.server.NetpollPortInUseException;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServerCustomizer;
import io.netpoll.spring.server.NetpollServerGracefulShutdownLifecycle;
import io.netpoll.spring.server.NetpollServerStartStopLifecycle;
import io.netpoll.spring.server.NetpollServerStartedEvent;
import io.netpoll.spring.server.NetpollServers;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.NetpollTestClient;
import io.netpoll.spring.test.WatchBufferPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static io.netpoll.testing.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link NetpollServerAutoConfiguration}.
 */
@Timeout(60)
class NetpollServerAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(
                    AutoConfigurations.of(NetpollAutoConfiguration.class, NetpollServerAutoConfiguration.class))
            .withPropertyValues("netpoll.server.address=127.0.0.1", "netpoll.server.port=0");

    @Test
    void withoutHandlerNoServerStartsButTheDialerWorks() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(EventLoop.class).doesNotHaveBean(NetpollServer.class);
            assertThat(context.getBean(NetpollServers.class).isEmpty()).isTrue();
            assertThat(context.getEnvironment().getProperty("local.netpoll.server.port"))
                    .isNull();
            assertThat(context).hasSingleBean(Dialer.class);
        });
    }

    @Test
    void handlerStartsTheDefaultServerOnAnEphemeralPort() {
        this.contextRunner.withUserConfiguration(DefaultHandler.class).run((context) -> {
            assertThat(context)
                    .hasSingleBean(EventLoop.class)
                    .hasBean("netpollEventLoop")
                    .hasBean("netpollServer");
            NetpollServer server = context.getBean(NetpollServer.class);
            assertThat(server.getName()).isEqualTo("default");
            assertThat(server.getState()).isEqualTo(NetpollServer.State.SERVING);
            int port = context.getEnvironment().getProperty("local.netpoll.server.port", Integer.class);
            assertThat(port).isPositive().isEqualTo(server.getPort());
            assertThat(server.getEventLoop().pollerGroup()).isSameAs(context.getBean(PollerGroup.class));
            assertThat(context.getBean(DefaultHandler.class).startedPort.get()).isEqualTo(port);
            assertThat(NetpollTestClient.echo(context.getBean(Dialer.class), port, "hello"))
                    .isEqualTo("hello");
        });
    }

    @Test
    void serverStopsWithTheContextAndReleasesItsPort() {
        AtomicReference<NetpollServer> server = new AtomicReference<>();
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .run((context) -> server.set(context.getBean(NetpollServer.class)));
        assertThat(server.get().getState()).isEqualTo(NetpollServer.State.STOPPED);
        assertThat(server.get().getEventLoop().isShutdown()).isTrue();
        int port = server.get().getPort();
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .withPropertyValues("netpoll.server.port=" + port)
                .run((context) -> assertThat(context).hasNotFailed());
    }

    @Test
    void unixDomainSocketServer(@TempDir Path directory) {
        Path socket = directory.resolve("netpoll.sock");
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .withPropertyValues(
                        "netpoll.server.network=unix", "netpoll.server.path=" + socket, "netpoll.server.address=")
                .run((context) -> {
                    NetpollServer server = context.getBean(NetpollServer.class);
                    assertThat(server.getPort()).isEqualTo(-1);
                    assertThat(context.getEnvironment().getProperty("local.netpoll.server.port"))
                            .isNull();
                    try (Connection connection = context.getBean(Dialer.class)
                            .dialConnection("unix", socket.toString(), Duration.ofSeconds(5))) {
                        connection.setReadTimeout(Duration.ofSeconds(20));
                        assertThat(NetpollTestClient.send(connection, "over unix"))
                                .isEqualTo("over unix");
                    }
                });
        assertThat(socket).doesNotExist();
    }

    @Test
    void disabledDefaultServerDoesNotStart() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .withPropertyValues("netpoll.server.enabled=false")
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(NetpollServer.class));
    }

    @Test
    void namedServersEachGetTheirHandler() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class, AdminHandler.class)
                .withPropertyValues("netpoll.servers.admin.address=127.0.0.1", "netpoll.servers.admin.port=0")
                .run((context) -> {
                    assertThat(context).hasBean("netpollEventLoop.admin").hasBean("netpollServer.admin");
                    NetpollServers servers = context.getBean(NetpollServers.class);
                    assertThat(servers.asMap()).containsOnlyKeys("default", "admin");
                    int defaultPort = context.getEnvironment().getProperty("local.netpoll.server.port", Integer.class);
                    int adminPort =
                            context.getEnvironment().getProperty("local.netpoll.server.admin.port", Integer.class);
                    assertThat(adminPort).isNotEqualTo(defaultPort);
                    Dialer dialer = context.getBean(Dialer.class);
                    assertThat(NetpollTestClient.echo(dialer, defaultPort, "one"))
                            .isEqualTo("one");
                    assertThat(NetpollTestClient.exchange(dialer, adminPort, "two", 9))
                            .isEqualTo("ADMIN:two");
                });
    }

    @Test
    void handlerCanInjectNetpollServersWithoutACycle() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class, ServersAwareAdminHandler.class)
                .withPropertyValues("netpoll.servers.admin.address=127.0.0.1", "netpoll.servers.admin.port=0")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    NetpollServers servers = context.getBean(ServersAwareAdminHandler.class).servers;
                    assertThat(servers).isSameAs(context.getBean(NetpollServers.class));
                    assertThat(servers.asMap()).containsOnlyKeys("default", "admin");
                    assertThat(servers.get("admin").getState()).isEqualTo(NetpollServer.State.SERVING);
                });
    }

    @Test
    void serverBeansAreApplicationBeansSoActuatorListsThem() {
        this.contextRunner.withUserConfiguration(DefaultHandler.class).run((context) -> {
            for (String name : new String[] {"netpollEventLoop", "netpollServer", "netpollEventLoopFactory"}) {
                assertThat(context.getBeanFactory().getBeanDefinition(name).getRole())
                        .as(name)
                        .isEqualTo(BeanDefinition.ROLE_APPLICATION);
            }
            // The server depends on its event loop, the event loop on its handler: destroyed in that order.
            assertThat(context.getBeanFactory().getDependenciesForBean("netpollServer"))
                    .contains("netpollEventLoop");
            assertThat(context.getBeanFactory().getDependenciesForBean("netpollEventLoop"))
                    .contains("netpollServerAutoConfigurationTests.DefaultHandler");
        });
    }

    @Test
    void handlerDeclaredOnABeanMethodIsFound() {
        this.contextRunner.withUserConfiguration(HandlerBeanMethod.class).run((context) -> {
            assertThat(context).hasSingleBean(NetpollServer.class);
            int port = context.getBean(NetpollServer.class).getPort();
            assertThat(NetpollTestClient.echo(context.getBean(Dialer.class), port, "x"))
                    .isEqualTo("x");
        });
    }

    @Test
    void lengthPrefixedHandlerFromTheDocsReadsWholeFrames() {
        this.contextRunner.withUserConfiguration(Frames.class).run((context) -> {
            int port = context.getBean(NetpollServer.class).getPort();
            try (Connection connection = NetpollTestClient.connect(context.getBean(Dialer.class), port)) {
                byte[] body = "a frame split in two writes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                connection.writer().writeBinary(java.nio.ByteBuffer.allocate(4).putInt(0, body.length));
                connection.writer().writeBinary(body, 0, 5);
                connection.writer().flush();
                connection.writer().writeBinary(body, 5, body.length - 5);
                connection.writer().flush();
                assertThat(connection.reader().next(4).getInt()).isEqualTo(body.length);
                assertThat(connection.reader().readBinary(body.length)).isEqualTo(body);
                connection.reader().release();
            }
        });
    }

    @Test
    void plainOnRequestBeanDoesNotStartAServer() {
        this.contextRunner
                .withUserConfiguration(PlainOnRequest.class)
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(NetpollServer.class));
    }

    @Test
    void aHandlerImplementingOnErrorAnswersItsOwnExceptions() {
        this.contextRunner.withUserConfiguration(AnsweringHandler.class).run((context) -> {
            int port = context.getBean(NetpollServer.class).getPort();
            assertThat(NetpollTestClient.exchange(context.getBean(Dialer.class), port, "x", 15))
                    .isEqualTo("ERR bad request");
            assertThat(context.getBean(io.netpoll.EventLoop.class).stats().handlerErrors())
                    .isEqualTo(1);
        });
    }

    @Test
    void handlerCallbacksAreRegistered() {
        this.contextRunner.withUserConfiguration(ConnectingHandler.class).run((context) -> {
            int port = context.getBean(NetpollServer.class).getPort();
            assertThat(NetpollTestClient.exchange(context.getBean(Dialer.class), port, "ctx", 13))
                    .isEqualTo("connected:ctx");
        });
    }

    @Test
    void handlersRunOnTheConfiguredWorkerExecutor() {
        this.contextRunner
                .withUserConfiguration(ThreadRecordingHandler.class)
                .withPropertyValues("netpoll.worker.max-size=4", "netpoll.worker.thread-name-prefix=app-worker-")
                .run((context) -> {
                    int port = context.getBean(NetpollServer.class).getPort();
                    NetpollTestClient.echo(context.getBean(Dialer.class), port, "t");
                    assertThat(context.getBean(ThreadRecordingHandler.class)
                                    .thread
                                    .get())
                            .startsWith("app-worker-");
                });
    }

    @Test
    void handlersRunOnThePollersThreadByDefault() {
        // netpoll-core's default, adaptive: on the thread holding the poller's role.
        this.contextRunner.withUserConfiguration(ThreadRecordingHandler.class).run((context) -> {
            int port = context.getBean(NetpollServer.class).getPort();
            NetpollTestClient.echo(context.getBean(Dialer.class), port, "t");
            assertThat(context.getBean(ThreadRecordingHandler.class).thread.get())
                    .startsWith("netpoll-")
                    .contains("-poller-");
        });
    }

    @Test
    void handlerModeWorkerRunsHandlersOnNetpollsOwnPool() {
        this.contextRunner
                .withUserConfiguration(ThreadRecordingHandler.class)
                .withPropertyValues("netpoll.server.handler-mode=worker")
                .run((context) -> {
                    int port = context.getBean(NetpollServer.class).getPort();
                    NetpollTestClient.echo(context.getBean(Dialer.class), port, "t");
                    assertThat(context.getBean(ThreadRecordingHandler.class)
                                    .thread
                                    .get())
                            .startsWith("netpoll-")
                            .contains("-worker-");
                });
    }

    @Test
    void handlerModeAdaptiveWinsOverAConfiguredWorkerExecutor() {
        this.contextRunner
                .withUserConfiguration(ThreadRecordingHandler.class)
                .withPropertyValues(
                        "netpoll.worker.max-size=4",
                        "netpoll.worker.thread-name-prefix=app-worker-",
                        "netpoll.server.handler-mode=adaptive")
                .run((context) -> {
                    int port = context.getBean(NetpollServer.class).getPort();
                    NetpollTestClient.echo(context.getBean(Dialer.class), port, "t");
                    assertThat(context.getBean(ThreadRecordingHandler.class)
                                    .thread
                                    .get())
                            .contains("-poller-");
                });
    }

    @Test
    void twoHandlersForOneServerFailWithWhatToChange() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class, SecondDefaultHandler.class)
                .run((context) ->
                        assertAnalysis(context.getStartupFailure(), "has 2 handlers", "Keep one @NetpollHandler"));
    }

    @Test
    void handlerForAServerThatIsNotConfiguredFails() {
        this.contextRunner
                .withUserConfiguration(AdminHandler.class)
                .run((context) -> assertAnalysis(
                        context.getStartupFailure(), "no such server is configured", "netpoll.servers.admin.port"));
    }

    @Test
    void namedServerWithoutHandlerFails() {
        this.contextRunner
                .withPropertyValues("netpoll.servers.admin.port=0")
                .run((context) -> assertAnalysis(
                        context.getStartupFailure(),
                        "no @NetpollHandler bean serves it",
                        "@NetpollHandler(server = \"admin\")"));
    }

    @Test
    void handlerThatIsNotAnOnRequestFails() {
        this.contextRunner
                .withUserConfiguration(NotAHandler.class)
                .run((context) -> assertAnalysis(
                        context.getStartupFailure(),
                        "does not implement io.netpoll.OnRequest",
                        "Implement io.netpoll.OnRequest"));
    }

    @Test
    void portInUseFailsWithWhatToChange() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            this.contextRunner
                    .withUserConfiguration(DefaultHandler.class)
                    .withPropertyValues("netpoll.server.port=" + taken.getLocalPort())
                    .run((context) -> {
                        assertThat(context).getFailure().hasRootCauseInstanceOf(java.net.BindException.class);
                        assertThat(context.getStartupFailure()).hasCauseInstanceOf(NetpollPortInUseException.class);
                        assertAnalysis(context.getStartupFailure(), "is already in use", "'netpoll.server.port'");
                    });
        }
    }

    @Test
    void userEventLoopIsServedInsteadOfAnAutoConfiguredOne() {
        this.contextRunner.withUserConfiguration(UserEventLoop.class).run((context) -> {
            assertThat(context).hasSingleBean(EventLoop.class);
            NetpollServer server = context.getBean(NetpollServer.class);
            assertThat(server.getEventLoop()).isSameAs(context.getBean("netpollEventLoop"));
            assertThat(NetpollTestClient.exchange(context.getBean(Dialer.class), server.getPort(), "u", 6))
                    .isEqualTo("user:u");
        });
    }

    @Test
    void serverCustomizersSeeEveryServer() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class, AdminHandler.class, ServerCustomizer.class)
                .withPropertyValues("netpoll.servers.admin.address=127.0.0.1", "netpoll.servers.admin.port=0")
                .run((context) -> assertThat(context.getBean(ServerCustomizer.class).seen)
                        .containsExactlyInAnyOrder("default", "admin"));
    }

    @Test
    void maxConnectionsRejectsConnectionsBeyondTheLimit() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .withPropertyValues("netpoll.server.max-connections=1")
                .run((context) -> {
                    NetpollServer server = context.getBean(NetpollServer.class);
                    Dialer dialer = context.getBean(Dialer.class);
                    try (Connection first = NetpollTestClient.connect(dialer, server.getPort())) {
                        assertThat(NetpollTestClient.send(first, "a")).isEqualTo("a");
                        try (Connection second = NetpollTestClient.connect(dialer, server.getPort())) {
                            await().atMost(Duration.ofSeconds(10)).until(() -> !second.isActive());
                        }
                        assertThat(server.getEventLoop().stats().connectionsRejected())
                                .isEqualTo(1);
                        assertThat(NetpollTestClient.send(first, "b")).isEqualTo("b");
                    }
                });
    }

    @Test
    void lifecyclesUseTheWebServerPhasesAndAreNotPauseable() {
        this.contextRunner.withUserConfiguration(DefaultHandler.class).run((context) -> {
            SmartLifecycle startStop = context.getBean(NetpollServerStartStopLifecycle.class);
            SmartLifecycle graceful = context.getBean(NetpollServerGracefulShutdownLifecycle.class);
            assertThat(startStop.getPhase()).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 2048);
            assertThat(graceful.getPhase()).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 1024);
            assertThat(startStop.isPauseable()).isFalse();
            assertThat(graceful.isPauseable()).isFalse();
            assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(graceful::stop);
        });
    }

    @Test
    void drainStartsByRefusingTrafficInAContextWithoutAWebServer() {
        ReadinessRecorder recorder = new ReadinessRecorder();
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .withBean(ReadinessRecorder.class, () -> recorder)
                .run((context) -> assertThat(recorder.states).isEmpty());
        assertThat(recorder.states).containsExactly(ReadinessState.REFUSING_TRAFFIC);
    }

    @Test
    void gracePeriodFallsBackToTheLifecyclePhaseTimeout() {
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=12s")
                .run((context) -> assertThat(
                                context.getBean(NetpollServer.class).getGracePeriod())
                        .isEqualTo(Duration.ofSeconds(12)));
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .withPropertyValues(
                        "spring.lifecycle.timeout-per-shutdown-phase=12s", "netpoll.server.shutdown.grace-period=3s")
                .run((context) -> assertThat(
                                context.getBean(NetpollServer.class).getGracePeriod())
                        .isEqualTo(Duration.ofSeconds(3)));
        this.contextRunner
                .withUserConfiguration(DefaultHandler.class)
                .run((context) -> assertThat(
                                context.getBean(NetpollServer.class).getGracePeriod())
                        .isEqualTo(Duration.ofSeconds(30)));
    }

    @Test
    void closingTheContextLetsAnInFlightRequestFinish() throws Exception {
        AtomicReference<CompletableFuture<String>> reply = new AtomicReference<>();
        AtomicReference<NetpollServer> server = new AtomicReference<>();
        AtomicReference<Connection> client = new AtomicReference<>();
        // The client lives on its own pollers: the context's pollers close with the context.
        try (PollerGroup clientGroup = PollerGroup.create(1)) {
            Dialer clientDialer = Netpoll.newDialer(Option.pollerGroup(clientGroup));
            this.contextRunner
                    .withUserConfiguration(DefaultHandler.class)
                    .withPropertyValues("netpoll.server.shutdown.grace-period=20s")
                    .run((context) -> {
                        DefaultHandler handler = context.getBean(DefaultHandler.class);
                        server.set(context.getBean(NetpollServer.class));
                        client.set(NetpollTestClient.connect(
                                clientDialer, server.get().getPort()));
                        reply.set(async(() -> {
                            try {
                                return NetpollTestClient.send(client.get(), "Slow");
                            } catch (IOException ex) {
                                throw new RuntimeException(ex);
                            }
                        }));
                        assertThat(handler.slowStarted.await(10, java.util.concurrent.TimeUnit.SECONDS))
                                .isTrue();
                        // The context closes when run() returns: release the handler once draining began.
                        async(() -> {
                            await().atMost(Duration.ofSeconds(10))
                                    .until(() -> server.get().getState() == NetpollServer.State.DRAINING);
                            handler.release.countDown();
                        });
                    });
            assertThat(reply.get().get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .isEqualTo("Slow");
            assertThat(server.get().getState()).isEqualTo(NetpollServer.State.STOPPED);
            assertThat(server.get().getShutdownResult().graceful()).isTrue();
            assertThat(server.get().getShutdownResult().drained()).isEqualTo(1);
            client.get().close();
        }
    }

    @Test
    void aHandlerStillBusyAfterTheGracePeriodHasItsConnectionClosed() throws Exception {
        AtomicReference<NetpollServer> server = new AtomicReference<>();
        AtomicReference<DefaultHandler> handler = new AtomicReference<>();
        AtomicReference<CompletableFuture<String>> reply = new AtomicReference<>();
        long[] closeStarted = new long[1];
        try (PollerGroup clientGroup = PollerGroup.create(1)) {
            Dialer clientDialer = Netpoll.newDialer(Option.pollerGroup(clientGroup));
            this.contextRunner
                    .withUserConfiguration(DefaultHandler.class)
                    .withPropertyValues("netpoll.server.shutdown.grace-period=300ms")
                    .run((context) -> {
                        handler.set(context.getBean(DefaultHandler.class));
                        server.set(context.getBean(NetpollServer.class));
                        Connection client = NetpollTestClient.connect(
                                clientDialer, server.get().getPort());
                        reply.set(async(() -> {
                            try (client) {
                                return NetpollTestClient.send(client, "Slow");
                            }
                        }));
                        assertThat(handler.get().slowStarted.await(10, java.util.concurrent.TimeUnit.SECONDS))
                                .isTrue();
                        closeStarted[0] = System.nanoTime();
                    });
            Duration closing = Duration.ofNanos(System.nanoTime() - closeStarted[0]);
            try {
                assertThat(closing)
                        .isGreaterThanOrEqualTo(Duration.ofMillis(250))
                        .isLessThan(Duration.ofSeconds(5));
                assertThat(server.get().getShutdownResult().graceful()).isFalse();
                assertThat(server.get().getShutdownResult().forceClosed()).hasSize(1);
                assertThat(server.get().getState()).isEqualTo(NetpollServer.State.STOPPED);
                assertThat(reply.get()).failsWithin(Duration.ofSeconds(10));
            } finally {
                handler.get().release.countDown();
            }
        }
    }

    private static void assertAnalysis(Throwable failure, String description, String action) {
        assertThat(failure).isNotNull();
        FailureAnalysis analysis = new NetpollFailureAnalyzer().analyze(failure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).contains(description);
        assertThat(analysis.getAction()).contains(action);
        assertThat(NetpollAutoConfigurationTests.analyze(failure).getDescription())
                .contains(description);
    }

    @NetpollHandler
    static class DefaultHandler extends EchoHandler implements ApplicationListener<NetpollServerStartedEvent> {

        final AtomicReference<Integer> startedPort = new AtomicReference<>();

        @Override
        public void onApplicationEvent(NetpollServerStartedEvent event) {
            this.startedPort.set(event.getPort());
        }
    }

    static class ReadinessRecorder implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

        final List<ReadinessState> states = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
            this.states.add(event.getState());
        }
    }

    @NetpollHandler
    static class ThreadRecordingHandler extends EchoHandler {

        final AtomicReference<String> thread = new AtomicReference<>();

        @Override
        public void onRequest(Object context, Connection connection) throws Exception {
            this.thread.set(Thread.currentThread().getName());
            super.onRequest(context, connection);
        }
    }

    @NetpollHandler
    static class SecondDefaultHandler extends EchoHandler {}

    @NetpollHandler(server = "admin")
    static class AdminHandler implements OnRequest {

        @Override
        public void onRequest(Object context, Connection connection) throws Exception {
            int n = connection.reader().len();
            byte[] bytes = connection.reader().readBinary(n);
            connection.writer().writeString("ADMIN:", java.nio.charset.StandardCharsets.UTF_8);
            connection.writer().writeBinary(bytes, 0, bytes.length);
            connection.writer().flush();
        }
    }

    @NetpollHandler(server = "admin")
    static class ServersAwareAdminHandler extends EchoHandler {

        final NetpollServers servers;

        ServersAwareAdminHandler(NetpollServers servers) {
            this.servers = servers;
        }
    }

    @NetpollHandler
    static class AnsweringHandler implements OnRequest<Object>, io.netpoll.OnError<Object> {

        @Override
        public void onRequest(Object context, Connection connection) throws Exception {
            connection.reader().skip(connection.reader().len());
            throw new IllegalArgumentException("bad request");
        }

        @Override
        public io.netpoll.ErrorAction onError(Object context, Connection connection, Throwable error) throws Exception {
            connection.writer().writeString("ERR " + error.getMessage());
            connection.writer().flush();
            return io.netpoll.ErrorAction.keepOpen();
        }
    }

    @NetpollHandler
    static class ConnectingHandler implements OnRequest, OnConnect {

        @Override
        public Object onConnect(Object context, Connection connection) {
            return "connected:";
        }

        @Override
        public void onRequest(Object context, Connection connection) throws Exception {
            byte[] bytes = connection.reader().readBinary(connection.reader().len());
            connection.writer().writeString((String) context, java.nio.charset.StandardCharsets.UTF_8);
            connection.writer().writeBinary(bytes, 0, bytes.length);
            connection.writer().flush();
        }
    }

    /**
     * The length-prefixed example of docs/spring-boot.md, verbatim.
     */
    @NetpollHandler
    static class Frames implements OnRequest {

        @Override
        public void onRequest(Object context, Connection connection) throws Exception {
            io.netpoll.buffer.Reader reader = connection.reader();
            int length = reader.next(4).getInt(); // waits for the header
            java.nio.ByteBuffer body = reader.next(length); // waits for the whole body; a view, no copy
            io.netpoll.buffer.Writer writer = connection.writer();
            writer.writeBinary(java.nio.ByteBuffer.allocate(4).putInt(0, length));
            writer.writeBinary(body); // copied into the output before the views expire
            writer.flush();
        }
    }

    @NetpollHandler
    static class NotAHandler {}

    @Configuration(proxyBeanMethods = false)
    static class HandlerBeanMethod {

        @Bean
        @NetpollHandler
        EchoHandler echo() {
            return new EchoHandler();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PlainOnRequest {

        @Bean
        OnRequest clientCallback() {
            return (context, connection) -> {};
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserEventLoop {

        @Bean
        EventLoop netpollEventLoop(PollerGroup group) {
            return Netpoll.newEventLoop(
                    (context, connection) -> {
                        byte[] bytes = connection
                                .reader()
                                .readBinary(connection.reader().len());
                        connection.writer().writeString("user:", java.nio.charset.StandardCharsets.UTF_8);
                        connection.writer().writeBinary(bytes, 0, bytes.length);
                        connection.writer().flush();
                    },
                    Option.pollerGroup(group));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ServerCustomizer {

        final List<String> seen = new ArrayList<>();

        @Bean
        NetpollServerCustomizer recordingCustomizer() {
            return (name, config) -> {
                this.seen.add(name);
                config.readTimeout(Duration.ofSeconds(30));
            };
        }
    }
}
