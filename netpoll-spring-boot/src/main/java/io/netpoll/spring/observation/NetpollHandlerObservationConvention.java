package io.netpoll.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * {@link ObservationConvention} for the observation of netpoll's {@code OnRequest} calls
 * ({@link NetpollObservationDocumentation#HANDLER}). Define a bean of this type to replace
 * {@link DefaultNetpollHandlerObservationConvention} (extend it to add keys), as with Spring's
 * {@code ServerRequestObservationConvention}. Its methods run on the handler's thread for every
 * call, at start and at stop: keep them cheap, and keep the low-cardinality values bounded.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public interface NetpollHandlerObservationConvention extends ObservationConvention<NetpollHandlerObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof NetpollHandlerObservationContext;
    }
}
