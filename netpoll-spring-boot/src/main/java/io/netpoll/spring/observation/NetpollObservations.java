package io.netpoll.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.netpoll.Connection;
import io.netpoll.OnRequest;
import io.netpoll.spring.server.NetpollHandlerDecorator;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;

/**
 * Makes every {@code OnRequest} call of every auto-configured server a Micrometer
 * {@link Observation} ({@link NetpollObservationDocumentation#HANDLER}), so that Micrometer
 * Tracing's spans and Micrometer's meters come from one place, as for Spring's HTTP servers.
 * <p>
 * The observation is started and opened in scope on the handler's thread around the call, and
 * closed and stopped when the call returns or throws (the exception is recorded with
 * {@link Observation#error} and rethrown unchanged, so netpoll-core closes the connection and
 * counts the error as without observations). While the handler runs, the observation is the
 * thread's current one: a span or an observation started in the handler (a {@code RestClient}
 * call, a JDBC query) is its child, and context propagation ({@code ContextSnapshot},
 * {@code ContextExecutorService}) carries it to other threads. Work that continues on another
 * thread without propagation (for instance the callback of a client connection) is not part of
 * the call's trace.
 * <p>
 * Cost: nothing when the registry has no observation handler ({@link ObservationRegistry#isNoop()},
 * read per call); otherwise a context and an observation per call plus whatever the registered
 * handlers do (a span, a timer update). That is why it is opt-in
 * ({@code netpoll.observations.requests.enabled}).
 * <p>
 * Order: {@value #ORDER}, applied before decorators of lower precedence (such as the metrics'
 * error counter), so the observation is the innermost wrapper and times the handler alone. A
 * decorator that must run inside the observation (logging with trace ids) uses a lower order.
 * <p>
 * Thread-safe: one instance decorates every server; each call has its own context.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollObservations implements NetpollHandlerDecorator, Ordered {

    /**
     * The order of this decorator.
     */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1000;

    private static final NetpollHandlerObservationConvention DEFAULT_CONVENTION =
            new DefaultNetpollHandlerObservationConvention();

    private final ObservationRegistry registry;

    private final @Nullable NetpollHandlerObservationConvention convention;

    /**
     * Create the decorator.
     * @param registry the registry to observe with
     * @param convention a convention replacing {@link DefaultNetpollHandlerObservationConvention},
     * or null for the default
     */
    public NetpollObservations(ObservationRegistry registry, @Nullable NetpollHandlerObservationConvention convention) {
        this.registry = registry;
        this.convention = convention;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public OnRequest decorate(String serverName, OnRequest handler) {
        return new ObservedHandler(serverName, handler, this.registry, this.convention);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    /**
     * One server's handler, observed.
     */
    @SuppressWarnings({"rawtypes", "unchecked", "try"}) // the scope is only closed
    private static final class ObservedHandler implements OnRequest<Object> {

        private final String serverName;

        private final OnRequest handler;

        private final ObservationRegistry registry;

        private final @Nullable NetpollHandlerObservationConvention convention;

        ObservedHandler(
                String serverName,
                OnRequest handler,
                ObservationRegistry registry,
                @Nullable NetpollHandlerObservationConvention convention) {
            this.serverName = serverName;
            this.handler = handler;
            this.registry = registry;
            this.convention = convention;
        }

        @Override
        public void onRequest(@Nullable Object context, Connection connection) throws Exception {
            if (this.registry.isNoop()) {
                // No observation handler registered (yet): no allocation, no scope.
                this.handler.onRequest(context, connection);
                return;
            }
            NetpollHandlerObservationContext observationContext =
                    new NetpollHandlerObservationContext(this.serverName, connection);
            Observation observation = NetpollObservationDocumentation.HANDLER
                    .observation(this.convention, DEFAULT_CONVENTION, () -> observationContext, this.registry)
                    .start();
            try {
                // The scope is closed before the observation stops, as Observation.observe does,
                // also when the handler throws: nothing of this call stays current on the thread.
                try (Observation.Scope scope = observation.openScope()) {
                    this.handler.onRequest(context, connection);
                }
            } catch (Throwable ex) {
                observation.error(ex);
                throw ex;
            } finally {
                observationContext.setFinished();
                observation.stop();
            }
        }

        @Override
        public String toString() {
            return "observed(" + this.handler + ")";
        }
    }
}
