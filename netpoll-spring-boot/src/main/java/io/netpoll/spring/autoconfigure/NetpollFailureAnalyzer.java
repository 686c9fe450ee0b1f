package io.netpoll.spring.autoconfigure;

import io.netpoll.spring.server.NetpollStartupException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link NetpollStartupException} (port in use, two handlers for one server, a
 * handler for a server that is not configured, ...) with what to change. Bad property values
 * are reported by Boot's own binding failure analyzers, with the key, the value and its origin.
 *
 * @author netpoll-java
 */
class NetpollFailureAnalyzer extends AbstractFailureAnalyzer<NetpollStartupException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, NetpollStartupException cause) {
        return new FailureAnalysis(cause.getDescription(), cause.getAction(), cause);
    }
}
