package io.netpoll.spring.autoconfigure.observation;

import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.OnRequest;
import io.netpoll.buffer.Reader;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.autoconfigure.NetpollAutoConfiguration;
import io.netpoll.spring.autoconfigure.NetpollServerAutoConfiguration;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.test.NetpollTestClient;
import io.netpoll.spring.test.WatchBufferPools;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Observations of {@code OnRequest} calls with Micrometer Tracing, wired by Boot's observation
 * and tracing auto-configuration around a {@link SimpleTracer} (Micrometer's in-memory tracer):
 * a span per call, and the call's span is the parent of what the handler starts, on its own
 * thread and, through context propagation, on another.
 */
@Timeout(60)
class NetpollObservationTracingTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(AutoConfigurations.of(
                    ObservationAutoConfiguration.class,
                    MicrometerTracingAutoConfiguration.class,
                    NetpollAutoConfiguration.class,
                    NetpollServerAutoConfiguration.class,
                    NetpollObservationAutoConfiguration.class))
            .withUserConfiguration(TracerConfiguration.class, TracingHandler.class)
            .withPropertyValues(
                    "netpoll.server.address=127.0.0.1",
                    "netpoll.server.port=0",
                    "netpoll.observations.requests.enabled=true");

    @Test
    void everyCallIsASpanOfItsOwnTraceTaggedWithTheLowCardinalityKeys() {
        this.contextRunner.run((context) -> {
            SimpleTracer tracer = context.getBean(SimpleTracer.class);
            int port = context.getBean(NetpollServer.class).getPort();
            Dialer dialer = context.getBean(Dialer.class);
            try (Connection connection = NetpollTestClient.connect(dialer, port)) {
                assertThat(NetpollTestClient.send(connection, "one")).isEqualTo("one");
                assertThat(NetpollTestClient.send(connection, "two")).isEqualTo("two");
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> endedCallSpans(tracer).size() == 2);
            List<SimpleSpan> calls = endedCallSpans(tracer);
            assertThat(calls).allSatisfy((span) -> {
                assertThat(span.getTags())
                        .containsEntry("server", "default")
                        .containsEntry("outcome", "success")
                        .containsEntry("exception", "none");
                assertThat(span.getParentId())
                        .as("a root span: raw TCP carries no trace context")
                        .isNullOrEmpty();
                assertThat(span.getError()).isNull();
            });
            assertThat(calls.get(0).getTraceId())
                    .as("one trace per call")
                    .isNotEqualTo(calls.get(1).getTraceId());
        });
    }

    @Test
    void spansStartedInTheHandlerAreChildrenOfTheCallsSpan() {
        this.contextRunner.run((context) -> {
            SimpleTracer tracer = context.getBean(SimpleTracer.class);
            assertThat(echo(context, "nested")).isEqualTo("nested");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> endedCallSpans(tracer).size() == 1);
            SimpleSpan call = endedCallSpans(tracer).get(0);
            for (String name : List.of("in-handler", "downstream.call", "on-another-thread")) {
                SimpleSpan child = span(tracer, name);
                assertThat(child.getTraceId()).as(name).isEqualTo(call.getTraceId());
                assertThat(child.getParentId()).as(name).isEqualTo(call.getSpanId());
                assertThat(child.getEndTimestamp())
                        .as(name)
                        .isBefore(call.getEndTimestamp().plusNanos(1));
            }
            assertThat(tracer.currentSpan())
                    .as("nothing leaks to the test's thread")
                    .isNull();
        });
    }

    @Test
    void aThrowingCallIsASpanWithTheError() {
        this.contextRunner.run((context) -> {
            SimpleTracer tracer = context.getBean(SimpleTracer.class);
            int port = context.getBean(NetpollServer.class).getPort();
            try (Connection connection = NetpollTestClient.connect(context.getBean(Dialer.class), port)) {
                connection.writer().writeBinary("!".getBytes(StandardCharsets.UTF_8), 0, 1);
                connection.writer().flush();
                await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isActive());
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> endedCallSpans(tracer).size() == 1);
            SimpleSpan call = endedCallSpans(tracer).get(0);
            assertThat(call.getTags())
                    .containsEntry("outcome", "error")
                    .containsEntry("exception", "IllegalStateException");
            assertThat(call.getError())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("asked to fail");
        });
    }

    private static String echo(AssertableApplicationContext context, String message) throws Exception {
        return NetpollTestClient.echo(
                context.getBean(Dialer.class),
                context.getBean(NetpollServer.class).getPort(),
                message);
    }

    private static List<SimpleSpan> endedCallSpans(SimpleTracer tracer) {
        return tracer.getSpans().stream()
                .filter((span) -> "netpoll default".equals(span.getName())
                        && span.getEndTimestamp().toEpochMilli() != 0)
                .toList();
    }

    private static SimpleSpan span(SimpleTracer tracer, String name) {
        List<SimpleSpan> spans = tracer.getSpans().stream()
                .filter((span) -> name.equals(span.getName()))
                .toList();
        assertThat(spans).as(name).hasSize(1);
        return spans.get(0);
    }

    @Configuration(proxyBeanMethods = false)
    static class TracerConfiguration {

        @Bean
        SimpleTracer tracer() {
            return new SimpleTracer();
        }
    }

    /**
     * Echoes, after starting three spans while its call is observed: one with the tracer on its
     * own thread, one as an observation (what a {@code RestClient} or JDBC call does), and one on
     * another thread of an executor wrapped for context propagation. {@code '!'} throws.
     */
    @NetpollHandler
    static class TracingHandler implements OnRequest<Object>, DisposableBean {

        private final Tracer tracer;

        private final ObservationRegistry registry;

        private final ExecutorService otherThread = ContextExecutorService.wrap(
                Executors.newSingleThreadExecutor(),
                ContextSnapshotFactory.builder().build());

        TracingHandler(Tracer tracer, ObservationRegistry registry) {
            this.tracer = tracer;
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
            if (bytes[0] == '!') {
                throw new IllegalStateException("asked to fail");
            }
            if (bytes[0] == 'n') {
                Span inHandler = this.tracer.nextSpan().name("in-handler").start();
                inHandler.end();
                Observation.createNotStarted("downstream.call", this.registry).observe(() -> {});
                this.otherThread
                        .submit(() -> this.tracer
                                .nextSpan()
                                .name("on-another-thread")
                                .start()
                                .end())
                        .get(10, TimeUnit.SECONDS);
            }
            connection.writer().writeBinary(bytes, 0, bytes.length);
            connection.writer().flush();
        }

        @Override
        public void destroy() {
            this.otherThread.shutdownNow();
        }
    }
}
