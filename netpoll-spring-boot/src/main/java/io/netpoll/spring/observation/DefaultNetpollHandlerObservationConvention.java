package io.netpoll.spring.observation;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.netpoll.ConnectionClosedException;
import io.netpoll.WriteTimeoutException;
import io.netpoll.spring.observation.NetpollObservationDocumentation.HandlerKeyNames;

/**
 * The default {@link NetpollHandlerObservationConvention}: name {@value #NAME}, contextual (span)
 * name {@code "netpoll <server>"}, low-cardinality keys {@code server} (at start), then
 * {@code outcome} and {@code exception} (at stop). No high-cardinality keys: like netpoll's
 * meters and endpoint, the observation never carries peer addresses; a convention of one's own
 * can add them from {@link NetpollHandlerObservationContext#getConnection()}.
 * <p>
 * Stateless and thread-safe; allocates only the key-value sets Micrometer asks for.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class DefaultNetpollHandlerObservationConvention implements NetpollHandlerObservationConvention {

    /**
     * The observation's name, hence the name of the timer Micrometer's meter observation handler
     * records ({@code netpoll_server_handler_seconds} in Prometheus).
     */
    public static final String NAME = "netpoll.server.handler";

    private static final String NONE = "none";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getContextualName(NetpollHandlerObservationContext context) {
        return "netpoll " + context.getServerName();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(NetpollHandlerObservationContext context) {
        KeyValue server = HandlerKeyNames.SERVER.withValue(context.getServerName());
        if (!context.isFinished()) {
            // At start only the server is known; the long task timer of running calls carries it alone.
            return KeyValues.of(server);
        }
        return KeyValues.of(
                server,
                HandlerKeyNames.OUTCOME.withValue(outcome(context)),
                HandlerKeyNames.EXCEPTION.withValue(exception(context)));
    }

    /**
     * The outcome of a finished call: {@code success}, {@code error} or {@code closed}.
     * @param context the context of the finished call
     * @return the outcome
     */
    protected String outcome(NetpollHandlerObservationContext context) {
        Throwable error = context.getError();
        if (error == null) {
            return "success";
        }
        if ((error instanceof ConnectionClosedException || error instanceof WriteTimeoutException)
                && !context.getConnection().isActive()) {
            // As netpoll-core's error counting: the handler only saw the peer leave (or stop reading).
            return "closed";
        }
        return "error";
    }

    /**
     * The exception key of a finished call.
     * @param context the context of the finished call
     * @return the simple class name of the error (the full name for an anonymous class), or
     * {@code none}
     */
    protected String exception(NetpollHandlerObservationContext context) {
        Throwable error = context.getError();
        if (error == null) {
            return NONE;
        }
        String name = error.getClass().getSimpleName();
        return name.isEmpty() ? error.getClass().getName() : name;
    }
}
