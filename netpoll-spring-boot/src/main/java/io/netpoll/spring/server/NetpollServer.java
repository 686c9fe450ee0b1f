package io.netpoll.spring.server;

import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.ShutdownResult;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.util.Assert;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One netpoll server of the application context: an {@link EventLoop} serving a listener on a
 * configured address, from {@link #start()} to {@link #shutDownGracefully graceful} or
 * {@link #stop() immediate} shutdown. Created by the auto-configuration (one bean per configured
 * server that has a handler); started and stopped by the netpoll lifecycle beans, like Boot's
 * embedded web servers.
 * <p>
 * While serving, a non-daemon thread named {@code netpoll-server-<name>} runs
 * {@link EventLoop#serve}, so the application stays alive without a web server. A server runs
 * once: after it stopped it cannot be started again (an {@link EventLoop} shuts down for good).
 * <p>
 * Thread-safe: every state transition happens under one lock (the blocking parts, binding
 * aside, run outside it: draining, shutting the event loop down, waiting for the serving thread).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public final class NetpollServer {

    /**
     * Name of the server configured under {@code netpoll.server.*}.
     */
    public static final String DEFAULT_NAME = "default";

    private static final Log logger = LogFactory.getLog(NetpollServer.class);

    /**
     * What a server is doing.
     */
    public enum State {

        /**
         * Created, not listening yet.
         */
        CREATED,

        /**
         * Listening and serving connections.
         */
        SERVING,

        /**
         * Not accepting any more; waiting for running handlers to finish.
         */
        DRAINING,

        /**
         * Stopped: the listener and every connection are closed.
         */
        STOPPED,

        /**
         * The listener failed while serving (the server no longer accepts connections).
         */
        FAILED
    }

    private final String name;

    private final EventLoop eventLoop;

    private final Endpoint endpoint;

    private final Duration gracePeriod;

    private final int maxConnections;

    private final Object monitor = new Object();

    private final CountDownLatch served = new CountDownLatch(1);

    private volatile State state = State.CREATED;

    private volatile @Nullable Listener listener;

    private volatile @Nullable Throwable failure;

    /** stop() began (guarded by monitor): the serving thread's end is then the stop, not a failure. */
    private boolean stopping;

    private volatile @Nullable ShutdownResult shutdownResult;

    /**
     * Create a server.
     * @param name the server name
     * @param eventLoop the event loop to serve with
     * @param endpoint where to listen
     * @param gracePeriod how long a graceful shutdown waits for running handlers
     */
    public NetpollServer(String name, EventLoop eventLoop, Endpoint endpoint, Duration gracePeriod) {
        this(name, eventLoop, endpoint, gracePeriod, -1);
    }

    /**
     * Create a server.
     * @param name the server name
     * @param eventLoop the event loop to serve with
     * @param endpoint where to listen
     * @param gracePeriod how long a graceful shutdown waits for running handlers
     * @param maxConnections the connection limit the event loop enforces, -1 for none
     */
    public NetpollServer(
            String name, EventLoop eventLoop, Endpoint endpoint, Duration gracePeriod, int maxConnections) {
        Assert.hasText(name, "'name' must not be empty");
        Assert.notNull(eventLoop, "'eventLoop' must not be null");
        Assert.notNull(endpoint, "'endpoint' must not be null");
        Assert.isTrue(!gracePeriod.isNegative(), "'gracePeriod' must not be negative");
        this.name = name;
        this.eventLoop = eventLoop;
        this.endpoint = endpoint;
        this.gracePeriod = gracePeriod;
        this.maxConnections = maxConnections;
    }

    /**
     * Binds the listener and starts serving. Does nothing if the server is already serving.
     * @throws IllegalStateException if the server already stopped (it cannot be restarted)
     * @throws NetpollPortInUseException if the address is in use
     * @throws NetpollStartupException if the listener cannot be created for another reason
     */
    public void start() {
        synchronized (this.monitor) {
            if (this.state == State.STOPPED || this.state == State.FAILED) {
                throw new IllegalStateException("Netpoll server '" + this.name + "' is " + this.state
                        + " and cannot be restarted; a new application context creates new servers");
            }
            if (this.state != State.CREATED) {
                return;
            }
            Listener listener = bind();
            this.listener = listener;
            this.state = State.SERVING;
            Thread thread = new Thread(() -> serve(listener), "netpoll-server-" + this.name);
            thread.setDaemon(false);
            thread.start();
            logger.info("Netpoll server '" + this.name + "' started on " + describe(listener.localAddress()) + " ("
                    + this.endpoint.network().name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
    }

    private Listener bind() {
        try {
            if (this.endpoint.network() == Endpoint.Network.UNIX) {
                Assert.state(this.endpoint.path() != null, "no socket path");
                return Netpoll.createListener("unix", this.endpoint.path().toString());
            }
            // netpoll-core binds (SO_REUSEADDR, SO_RCVBUF before bind, the backlog).
            return Listener.bind(
                    this.endpoint.network().name().toLowerCase(Locale.ROOT),
                    this.endpoint.socketAddress(),
                    Math.max(0, this.endpoint.backlog()),
                    this.endpoint.receiveBufferSize());
        } catch (BindException ex) {
            throw new NetpollPortInUseException(this.name, this.endpoint.describe(), this.endpoint.property(), ex);
        } catch (IOException | RuntimeException ex) {
            throw new NetpollStartupException(
                    "Netpoll server '" + this.name + "' failed to listen on " + this.endpoint.describe() + ": " + ex,
                    "Check the address settings of the server (" + this.endpoint.propertyPrefix() + ".*).",
                    ex);
        }
    }

    private void serve(Listener listener) {
        try {
            this.eventLoop.serve(listener);
        } catch (IOException | RuntimeException ex) {
            boolean failed;
            synchronized (this.monitor) {
                failed = this.state == State.SERVING && !this.stopping;
                if (failed) {
                    this.failure = ex;
                    this.state = State.FAILED;
                }
            }
            if (failed) {
                logger.error(
                        "Netpoll server '" + this.name + "' stopped accepting connections: its listener failed", ex);
            }
        } finally {
            this.served.countDown();
        }
    }

    /**
     * Stops accepting, lets running handlers finish within the grace period, then closes what is
     * left; runs on a new thread and calls {@code callback} when done.
     * @param callback called when the shutdown ended, whatever the result
     */
    public void shutDownGracefully(Runnable callback) {
        synchronized (this.monitor) {
            if (this.state != State.SERVING) {
                callback.run();
                return;
            }
            this.state = State.DRAINING;
        }
        logger.info("Netpoll server '" + this.name + "': commencing graceful shutdown, waiting up to "
                + this.gracePeriod.toMillis() + " ms for running handlers");
        Thread thread = new Thread(
                () -> {
                    try {
                        ShutdownResult result = this.eventLoop.shutdown(this.gracePeriod);
                        closeListener();
                        this.shutdownResult = result;
                        if (result.graceful()) {
                            logger.info("Netpoll server '" + this.name + "': graceful shutdown complete ("
                                    + result.closedIdle() + " idle, " + result.drained() + " drained)");
                        } else {
                            logger.warn("Netpoll server '" + this.name + "': grace period ended with "
                                    + result.forceClosed().size() + " connection(s) still busy; they were closed");
                        }
                    } finally {
                        synchronized (this.monitor) {
                            this.state = State.STOPPED;
                        }
                        callback.run();
                    }
                },
                "netpoll-shutdown-" + this.name);
        thread.start();
    }

    /**
     * Stops at once: closes the listener and every connection, whether or not a handler runs.
     * Idempotent.
     */
    public void stop() {
        synchronized (this.monitor) {
            if (this.state == State.CREATED) {
                this.state = State.STOPPED;
                return;
            }
            if (this.listener == null) {
                // Stopped before it ever started: no event loop serving, no serving thread to wait for.
                return;
            }
            this.stopping = true;
        }
        if (this.shutdownResult == null || !this.eventLoop.isShutdown()) {
            ShutdownResult result = this.eventLoop.shutdown(Duration.ZERO);
            if (this.shutdownResult == null) {
                this.shutdownResult = result;
            }
        }
        closeListener();
        synchronized (this.monitor) {
            this.state = (this.state == State.FAILED) ? State.FAILED : State.STOPPED;
        }
        try {
            if (!this.served.await(5, TimeUnit.SECONDS)) {
                logger.warn("Netpoll server '" + this.name + "': serving thread did not end within 5 s");
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes the listener (idempotent). {@link EventLoop#shutdown} closes the listeners it
     * serves, but one whose {@code serve} call had not registered yet when the shutdown began
     * would otherwise stay open, and its serving thread blocked.
     */
    private void closeListener() {
        Listener listener = this.listener;
        if (listener != null) {
            listener.close();
        }
    }

    /**
     * The server name: {@code default} or a key of {@code netpoll.servers}.
     * @return the name
     */
    public String getName() {
        return this.name;
    }

    public EventLoop getEventLoop() {
        return this.eventLoop;
    }

    public Endpoint getEndpoint() {
        return this.endpoint;
    }

    public Duration getGracePeriod() {
        return this.gracePeriod;
    }

    /**
     * The connection limit the event loop enforces.
     * @return the limit, or -1 for none
     */
    public int getMaxConnections() {
        return this.maxConnections;
    }

    public State getState() {
        return this.state;
    }

    /**
     * Whether the server listens or drains.
     * @return true while serving or draining
     */
    public boolean isRunning() {
        State state = this.state;
        return state == State.SERVING || state == State.DRAINING;
    }

    /**
     * Whether the listener is open (false before start, after stop, and after a listener failure).
     * @return whether connections are accepted
     */
    public boolean isListening() {
        Listener listener = this.listener;
        return this.state == State.SERVING && listener != null && listener.isOpen();
    }

    /**
     * The actual port, or -1 before start and for a Unix domain socket.
     * @return the port
     */
    public int getPort() {
        Listener listener = this.listener;
        return (listener != null) ? listener.port() : -1;
    }

    /**
     * The bound address, or null before start.
     * @return the address
     */
    public @Nullable SocketAddress getLocalAddress() {
        Listener listener = this.listener;
        return (listener != null) ? listener.localAddress() : null;
    }

    /**
     * Why the listener failed, if it did.
     * @return the failure or null
     */
    public @Nullable Throwable getFailure() {
        return this.failure;
    }

    /**
     * What the last shutdown did, or null before shutdown.
     * @return the result
     */
    public @Nullable ShutdownResult getShutdownResult() {
        return this.shutdownResult;
    }

    private static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress().isAnyLocalAddress()
                    ? "*"
                    : inet.getAddress().getHostAddress();
            return host + " port " + inet.getPort();
        }
        return String.valueOf(address);
    }

    @Override
    public String toString() {
        return "NetpollServer[" + this.name + ", " + this.state + ", " + this.endpoint.describe() + "]";
    }

    /**
     * Where a server listens.
     *
     * @param serverName the server name (for messages)
     * @param network the network
     * @param address the address to bind to, null for all interfaces
     * @param port the port, 0 for a free one
     * @param path the socket file of a Unix domain socket
     * @param backlog the accept backlog, 0 for netpoll-core's default ({@link Listener#DEFAULT_BACKLOG})
     * @param receiveBufferSize SO_RCVBUF for accepted connections, 0 for the OS default
     */
    public record Endpoint(
            String serverName,
            Network network,
            @Nullable InetAddress address,
            int port,
            @Nullable Path path,
            int backlog,
            int receiveBufferSize) {

        /**
         * Networks a server can listen on.
         */
        public enum Network {

            /**
             * TCP, IPv4 or IPv6.
             */
            TCP,
            /**
             * TCP over IPv4.
             */
            TCP4,
            /**
             * TCP over IPv6.
             */
            TCP6,
            /**
             * Unix domain socket.
             */
            UNIX;

            /**
             * The lower-case name, as the properties and the documentation write it (Boot's
             * report of an unknown value lists the valid ones with it).
             * @return {@code tcp}, {@code tcp4}, {@code tcp6} or {@code unix}
             */
            @Override
            public String toString() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }

        SocketAddress socketAddress() {
            return (this.address != null)
                    ? new InetSocketAddress(this.address, this.port)
                    : new InetSocketAddress(this.port);
        }

        /**
         * The property prefix of this server's settings.
         * @return {@code netpoll.server} or {@code netpoll.servers.<name>}
         */
        public String propertyPrefix() {
            return DEFAULT_NAME.equals(this.serverName) ? "netpoll.server" : "netpoll.servers." + this.serverName;
        }

        String property() {
            return propertyPrefix() + ((this.network == Network.UNIX) ? ".path" : ".port");
        }

        /**
         * A readable form of the address, for messages.
         * @return the description
         */
        public String describe() {
            if (this.network == Network.UNIX) {
                return "unix socket " + this.path;
            }
            return ((this.address != null) ? this.address.getHostAddress() : "*") + " port " + this.port;
        }
    }
}
