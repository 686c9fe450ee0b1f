package io.netpoll.spring.observation;

import io.micrometer.observation.Observation;
import io.netpoll.Connection;

/**
 * The {@link Observation.Context} of one {@code OnRequest} call of a netpoll server: the
 * server's name, the connection, and (once the call returned or threw) whether it finished and
 * with which exception ({@link #getError()}).
 * <p>
 * Threading: created, read and changed on the thread that runs the handler (a worker, or the
 * poller in inline mode), as Micrometer's observation handlers are. Ownership: the context
 * refers to the {@link Connection} for the duration of the call; a convention or handler may
 * read the connection's state while the observation runs, but must not keep it beyond
 * {@code onStop}: after the call another handler call of the same connection, or its close, may
 * run at any time.
 *
 * @author netpoll-java
 * @since 0.1.0
 * @see NetpollObservationDocumentation#HANDLER
 */
public class NetpollHandlerObservationContext extends Observation.Context {

    private final String serverName;

    private final Connection connection;

    private boolean finished;

    /**
     * Create the context of one call.
     * @param serverName the name of the server whose handler is called
     * @param connection the connection the handler is called for
     */
    public NetpollHandlerObservationContext(String serverName, Connection connection) {
        this.serverName = serverName;
        this.connection = connection;
    }

    /**
     * The server's name ({@code default}, or the name under {@code netpoll.servers}).
     * @return the server name
     */
    public String getServerName() {
        return this.serverName;
    }

    /**
     * The connection the handler is called for. Valid during the call only.
     * @return the connection
     */
    public Connection getConnection() {
        return this.connection;
    }

    /**
     * Whether the handler returned or threw: {@code false} while the observation starts (so a
     * convention gives the keys known at start only), {@code true} when it stops.
     * @return whether the call is over
     */
    public boolean isFinished() {
        return this.finished;
    }

    /**
     * Mark the call as over; called by the handler decorator just before the observation stops.
     */
    public void setFinished() {
        this.finished = true;
    }
}
