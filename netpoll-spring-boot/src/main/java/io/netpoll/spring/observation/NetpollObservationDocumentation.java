package io.netpoll.spring.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of netpoll servers, documented as Micrometer's documentation tooling expects
 * (and listed in docs/metrics.md).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public enum NetpollObservationDocumentation implements ObservationDocumentation {

    /**
     * One {@code OnRequest} call of a server's handler: a span with Micrometer Tracing, a
     * {@code Timer} (and a {@code LongTaskTimer} named {@code netpoll.server.handler.active})
     * with Micrometer's meter observation handler. Opt-in:
     * {@code netpoll.observations.requests.enabled=true}.
     */
    HANDLER {

        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultNetpollHandlerObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return HandlerKeyNames.values();
        }

        @Override
        public String getPrefix() {
            return "netpoll.";
        }
    };

    /**
     * Low-cardinality keys of {@link #HANDLER}: bounded by the configured servers, three
     * outcomes and the exception types the handler throws.
     */
    public enum HandlerKeyNames implements KeyName {

        /**
         * The server's name ({@code default}, or its name under {@code netpoll.servers}); known
         * at start.
         */
        SERVER {
            @Override
            public String asString() {
                return "server";
            }
        },

        /**
         * {@code success} (the handler returned), {@code error} (it threw), or {@code closed}
         * (it threw {@code ConnectionClosedException} or {@code WriteTimeoutException} for a
         * connection that was closed under it: the peer left or stopped reading, not a handler
         * fault). Known at stop.
         */
        OUTCOME {
            @Override
            public String asString() {
                return "outcome";
            }
        },

        /**
         * Simple class name of the exception the handler threw, {@code none} if it returned.
         * Known at stop.
         */
        EXCEPTION {
            @Override
            public String asString() {
                return "exception";
            }
        }
    }
}
