package io.netpoll.spring.actuate.endpoint;

import io.netpoll.ConnectionInfo;
import io.netpoll.EventLoop;
import io.netpoll.NetStats;
import io.netpoll.PollerGroup;
import io.netpoll.PollerGroupStats;
import io.netpoll.PollerStats;
import io.netpoll.ServerConfig;
import io.netpoll.WorkerPoolStats;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.BufferPoolStats;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServers;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code netpoll} Actuator endpoint ({@code /actuator/netpoll}): a read operation with the
 * servers, the pollers (each of them too), the worker pool and the buffer memory, built from the
 * statistics netpoll-core already keeps ({@link NetStats}, {@link PollerGroupStats},
 * {@link PollerStats}, {@link WorkerPoolStats}, {@link BufferPoolStats}); a read operation per
 * server ({@code /actuator/netpoll/{server}?limit=100&sort=age|bytes}) with its oldest or busiest
 * connections ({@link EventLoop#connections}); and a write operation that closes one connection
 * by id ({@code POST /actuator/netpoll/{server}} with {@code {"id": 42}}), a management action that
 * does nothing unless {@code netpoll.endpoint.close-connections.enabled=true}.
 *
 * <p>Cost and threading: a read takes a snapshot of counters the library maintains anyway; it
 * adds nothing to the request path, takes no lock a connection takes, and is safe while
 * connections open and close (numbers read one after another may belong to slightly different
 * moments). The per-server view iterates that server's connections once and describes at most
 * {@code limit} of them. Only the per-server view shows peer addresses (it is the list of who is
 * connected): secure the endpoint as any other that shows client data.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@Endpoint(id = "netpoll")
public class NetpollEndpoint {

    private final NetpollServers servers;

    private final PollerGroup pollerGroup;

    private final BufferPool bufferPool;

    private final boolean closeConnectionsEnabled;

    /**
     * The endpoint over a context's servers, poller group and buffer pool, with the close
     * operation disabled.
     * @param servers the servers (may be empty: a client-only application)
     * @param pollerGroup the poller group the servers and the dialer share
     * @param bufferPool the buffer pool the servers and the dialer allocate from
     */
    public NetpollEndpoint(NetpollServers servers, PollerGroup pollerGroup, BufferPool bufferPool) {
        this(servers, pollerGroup, bufferPool, false);
    }

    /**
     * The endpoint over a context's servers, poller group and buffer pool.
     * @param servers the servers (may be empty: a client-only application)
     * @param pollerGroup the poller group the servers and the dialer share
     * @param bufferPool the buffer pool the servers and the dialer allocate from
     * @param closeConnectionsEnabled whether {@link #closeConnection} may close connections
     */
    public NetpollEndpoint(
            NetpollServers servers, PollerGroup pollerGroup, BufferPool bufferPool, boolean closeConnectionsEnabled) {
        this.servers = servers;
        this.pollerGroup = pollerGroup;
        this.bufferPool = bufferPool;
        this.closeConnectionsEnabled = closeConnectionsEnabled;
    }

    /** Default of the {@code limit} parameter of the per-server view. */
    public static final int DEFAULT_LIMIT = 100;

    /** Most connections the per-server view describes, whatever {@code limit} asks for. */
    public static final int MAX_LIMIT = 10_000;

    /**
     * One server's connections: the {@code limit} oldest ({@code sort=age}, the default) or
     * busiest ({@code sort=bytes}: bytes in plus out) open connections, with the server's handler
     * mode and limits.
     * @param server the server name ({@code default} or a key of {@code netpoll.servers})
     * @param limit most connections to describe (default {@value #DEFAULT_LIMIT}, at most
     * {@value #MAX_LIMIT})
     * @param sort {@code age} or {@code bytes}
     * @return the view, or null (404) for an unknown server
     */
    @ReadOperation
    public @Nullable ServerConnectionsDescriptor server(
            @Selector String server, @Nullable Integer limit, @Nullable String sort) {
        NetpollServer found = find(server);
        if (found == null) {
            return null;
        }
        int n = (limit != null) ? Math.max(0, Math.min(limit, MAX_LIMIT)) : DEFAULT_LIMIT;
        ConnectionInfo.Order order = order(sort);
        EventLoop loop = found.getEventLoop();
        List<ConnectionDescriptor> connections = loop.connections(n, order).stream()
                .map(NetpollEndpoint::connection)
                .toList();
        return new ServerConnectionsDescriptor(
                found.getName(),
                loop.config().handlerMode().name().toLowerCase(Locale.ROOT),
                limits(found),
                loop.connectionCount(),
                (order == ConnectionInfo.Order.OLDEST) ? "age" : "bytes",
                n,
                connections);
    }

    /**
     * Closes one connection of a server by its id (as listed by {@link #server}). A management
     * action: off unless {@code netpoll.endpoint.close-connections.enabled=true}.
     * @param server the server name
     * @param id the connection's id
     * @return what happened
     */
    @WriteOperation
    public CloseConnectionDescriptor closeConnection(@Selector String server, long id) {
        if (!this.closeConnectionsEnabled) {
            return new CloseConnectionDescriptor(
                    server,
                    id,
                    false,
                    "disabled: set netpoll.endpoint.close-connections.enabled=true to allow closing connections");
        }
        NetpollServer found = find(server);
        if (found == null) {
            return new CloseConnectionDescriptor(server, id, false, "no such server");
        }
        if (!found.getEventLoop().closeConnection(id)) {
            return new CloseConnectionDescriptor(server, id, false, "no such open connection");
        }
        return new CloseConnectionDescriptor(server, id, true, "closed");
    }

    private @Nullable NetpollServer find(String name) {
        for (NetpollServer server : this.servers.all()) {
            if (server.getName().equals(name)) {
                return server;
            }
        }
        return null;
    }

    private static ConnectionInfo.Order order(@Nullable String sort) {
        if (sort == null || sort.isEmpty() || "age".equalsIgnoreCase(sort)) {
            return ConnectionInfo.Order.OLDEST;
        }
        if ("bytes".equalsIgnoreCase(sort)) {
            return ConnectionInfo.Order.BUSIEST;
        }
        throw new InvalidEndpointRequestException(
                "sort must be 'age' or 'bytes', was '" + sort + "'", "sort must be 'age' or 'bytes'");
    }

    private static ConnectionDescriptor connection(ConnectionInfo info) {
        return new ConnectionDescriptor(
                info.id(),
                address(info.remoteAddress()),
                address(info.localAddress()),
                Instant.ofEpochMilli(info.createdAtMillis()).toString(),
                Duration.ofNanos(info.ageNanos()).toMillis(),
                Duration.ofNanos(info.idleNanos()).toMillis(),
                info.bytesIn(),
                info.bytesOut(),
                info.unreadInput(),
                info.unsentOutput(),
                info.state(),
                info.poller());
    }

    private static @Nullable String address(@Nullable SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0) ? "[" + host + "]:" + inet.getPort() : host + ":" + inet.getPort();
        }
        return (address != null) ? String.valueOf(address) : null;
    }

    private static LimitsDescriptor limits(NetpollServer server) {
        ServerConfig config = server.getEventLoop().config();
        return new LimitsDescriptor(
                server.getMaxConnections(),
                config.maxInputBuffer(),
                config.maxOutputBuffer(),
                millis(config.readTimeout()),
                millis(config.writeTimeout()),
                millis(config.idleTimeout()));
    }

    private static @Nullable Long millis(@Nullable Duration duration) {
        return (duration != null && !duration.isZero()) ? duration.toMillis() : null;
    }

    private static PollerDescriptor poller(PollerStats poller) {
        return new PollerDescriptor(
                poller.index(),
                poller.name(),
                poller.threadName(),
                poller.roleState(),
                poller.registrations(),
                poller.pendingTasks(),
                poller.loopLagNanos() / 1e6,
                poller.nanosSinceSelect() / 1e6,
                poller.selectorRebuilds(),
                poller.runningNow());
    }

    /**
     * The view.
     * @return servers by name, pollers, workers and buffers
     */
    @ReadOperation
    public NetpollDescriptor netpoll() {
        Map<String, ServerDescriptor> servers = new LinkedHashMap<>();
        for (NetpollServer server : this.servers.all()) {
            servers.put(server.getName(), server(server));
        }
        PollerGroupStats pollers = this.pollerGroup.stats();
        WorkerPoolStats workers = this.pollerGroup.workerStats();
        BufferPoolStats buffers = this.bufferPool.stats();
        return new NetpollDescriptor(
                servers,
                new PollersDescriptor(
                        this.pollerGroup.numLoops(),
                        pollers.pollers(),
                        pollers.pendingTasks(),
                        pollers.registrations(),
                        pollers.selectorRebuilds(),
                        pollers.roleThreads(),
                        pollers.roleHandOffs(),
                        pollers.handlersBlocked(),
                        this.pollerGroup.pollerStats().stream()
                                .map(NetpollEndpoint::poller)
                                .toList()),
                new WorkersDescriptor(
                        workers.poolSize(),
                        workers.activeThreads(),
                        workers.runningThreads(),
                        workers.parallelism(),
                        workers.queuedTasks(),
                        workers.completedTasks()),
                new BuffersDescriptor(
                        buffers.usedBytes(),
                        buffers.pooledBytes(),
                        buffers.reservedBytes(),
                        buffers.maxPooledBytes(),
                        buffers.maxDirectBytes(),
                        buffers.outstandingNodes(),
                        buffers.budgetRefusals(),
                        buffers.decayedBytes(),
                        this.bufferPool.decay().toMillis(),
                        buffers.leaksDetected(),
                        buffers.sizeClasses().stream()
                                .map((c) -> new SizeClassDescriptor(c.nodeSize(), c.usedBytes(), c.pooledBytes()))
                                .toList()));
    }

    private static ServerDescriptor server(NetpollServer server) {
        NetpollServer.Endpoint endpoint = server.getEndpoint();
        SocketAddress local = server.getLocalAddress();
        String address = null;
        Integer port = null;
        if (local instanceof InetSocketAddress inet) {
            address = inet.getAddress().getHostAddress();
            port = inet.getPort();
        }
        NetStats stats = server.getEventLoop().stats();
        return new ServerDescriptor(
                server.getState().name(),
                endpoint.network().name().toLowerCase(Locale.ROOT),
                address,
                port,
                (endpoint.path() != null) ? endpoint.path().toString() : null,
                server.getMaxConnections(),
                stats.connectionsActive(),
                stats.connectionsAccepted(),
                stats.connectionsRejected(),
                stats.bytesIn(),
                stats.bytesOut(),
                stats.requestsActive(),
                stats.requestsTotal(),
                stats.handlerErrors(),
                stats.outputLimitCloses(),
                stats.writeTimeoutCloses(),
                server.getEventLoop().config().handlerMode().name().toLowerCase(Locale.ROOT),
                limits(server),
                server.getEventLoop().config().tls() != null,
                stats.connectionsClosedByReason());
    }

    /**
     * The endpoint's answer.
     * @param servers per server name
     * @param pollers the poller group
     * @param workers the poller group's worker pool
     * @param buffers the buffer pool
     */
    public record NetpollDescriptor(
            Map<String, ServerDescriptor> servers,
            PollersDescriptor pollers,
            WorkersDescriptor workers,
            BuffersDescriptor buffers)
            implements OperationResponseBody {}

    /**
     * One server.
     * @param state {@link NetpollServer.State} name
     * @param network {@code tcp}, {@code tcp4}, {@code tcp6} or {@code unix}
     * @param address the local address listened on (TCP), or null
     * @param port the local port (TCP), or null
     * @param path the socket file (Unix), or null
     * @param maxConnections the limit on open connections, -1 for none
     * @param connectionsActive connections open now
     * @param connectionsAccepted connections accepted since the start
     * @param connectionsRejected connections closed at once for the connection limit
     * @param bytesIn bytes read
     * @param bytesOut bytes written
     * @param requestsActive handler calls running now
     * @param requestsTotal handler calls finished
     * @param handlerErrors handler calls that threw
     * @param outputLimitCloses connections closed at the output limit
     * @param writeTimeoutCloses connections closed at the write timeout
     * @param handlerMode {@code adaptive}, {@code worker} or {@code inline}
     * @param limits the server's limits
     * @param tls whether the server speaks TLS
     * @param connectionsClosedByReason connections that have ended, by why they closed
     */
    public record ServerDescriptor(
            String state,
            String network,
            @Nullable String address,
            @Nullable Integer port,
            @Nullable String path,
            int maxConnections,
            long connectionsActive,
            long connectionsAccepted,
            long connectionsRejected,
            long bytesIn,
            long bytesOut,
            long requestsActive,
            long requestsTotal,
            long handlerErrors,
            long outputLimitCloses,
            long writeTimeoutCloses,
            String handlerMode,
            LimitsDescriptor limits,
            boolean tls,
            Map<String, Long> connectionsClosedByReason) {}

    /**
     * A server's limits.
     * @param maxConnections the limit on open connections, -1 for none
     * @param maxInputBuffer most unread input per connection, in bytes
     * @param maxOutputBuffer most unsent output per connection where a flush does not wait, in bytes
     * @param readTimeoutMillis longest wait of a blocking read, null for none
     * @param writeTimeoutMillis longest wait of a flush, null for none
     * @param idleTimeoutMillis idle time after which a connection is closed, null for none
     */
    public record LimitsDescriptor(
            int maxConnections,
            int maxInputBuffer,
            int maxOutputBuffer,
            @Nullable Long readTimeoutMillis,
            @Nullable Long writeTimeoutMillis,
            @Nullable Long idleTimeoutMillis) {}

    /**
     * The pollers.
     * @param configured pollers the group is configured for
     * @param running poller threads running now
     * @param pendingTasks tasks queued for the pollers
     * @param registrations channels registered with the pollers
     * @param selectorRebuilds selectors rebuilt after spinning
     * @param roleThreads threads that can hold a poller role (pollers, spares, threads finishing a
     * blocked handler)
     * @param roleHandOffs poller roles handed to a spare thread
     * @param handlersBlocked adaptive handler calls that held their thread past the blocked threshold
     * @param perPoller each poller started so far
     */
    public record PollersDescriptor(
            int configured,
            int running,
            long pendingTasks,
            long registrations,
            long selectorRebuilds,
            int roleThreads,
            long roleHandOffs,
            long handlersBlocked,
            List<PollerDescriptor> perPoller) {}

    /**
     * One poller.
     * @param index its index in the group
     * @param name its name
     * @param thread the thread holding its role now, or null
     * @param roleState {@code running}, {@code in-handler} or {@code handed-off}
     * @param registrations channels registered with it
     * @param pendingTasks tasks queued for it
     * @param loopLagMillis time from a task being queued to it running (a probe)
     * @param sinceSelectMillis time since its loop last came back from select, 0 while it waits
     * in select
     * @param selectorRebuilds its selector rebuilds
     * @param running what its loop runs now ({@code connection <id> <address>}, {@code task
     * <class>}), or null
     */
    public record PollerDescriptor(
            int index,
            String name,
            @Nullable String thread,
            String roleState,
            int registrations,
            int pendingTasks,
            double loopLagMillis,
            double sinceSelectMillis,
            long selectorRebuilds,
            @Nullable String running) {}

    /**
     * One server's connections ({@code /actuator/netpoll/{server}}).
     * @param server the server name
     * @param handlerMode {@code adaptive}, {@code worker} or {@code inline}
     * @param limits the server's limits
     * @param connectionCount connections open now (all of them, not only those listed)
     * @param sort {@code age} (oldest first) or {@code bytes} (busiest first)
     * @param limit most connections listed
     * @param connections the connections listed
     */
    public record ServerConnectionsDescriptor(
            String server,
            String handlerMode,
            LimitsDescriptor limits,
            int connectionCount,
            String sort,
            int limit,
            List<ConnectionDescriptor> connections)
            implements OperationResponseBody {}

    /**
     * One connection.
     * @param id its id (for the close operation)
     * @param remoteAddress the peer's address
     * @param localAddress the local address
     * @param createdAt when it was set up (ISO-8601)
     * @param ageMillis how long ago that was
     * @param idleMillis time since the last byte read or written (or since it was set up),
     * with or without an idle timeout; coarse: up to one poller loop turn long (see
     * {@link ConnectionInfo#idleNanos()})
     * @param bytesIn bytes read
     * @param bytesOut bytes written
     * @param unreadInput input not yet consumed by the handler, in bytes
     * @param unsentOutput flushed output the socket has not taken yet, in bytes
     * @param state {@code open}, {@code in-handler}, {@code read-paused}, {@code peer-closed} or
     * {@code closing}
     * @param poller the poller serving it
     */
    public record ConnectionDescriptor(
            long id,
            @Nullable String remoteAddress,
            @Nullable String localAddress,
            String createdAt,
            long ageMillis,
            long idleMillis,
            long bytesIn,
            long bytesOut,
            int unreadInput,
            int unsentOutput,
            String state,
            String poller) {}

    /**
     * The answer of the close operation.
     * @param server the server name asked for
     * @param id the connection id asked for
     * @param closed whether this call closed the connection
     * @param message {@code closed}, or why not
     */
    public record CloseConnectionDescriptor(String server, long id, boolean closed, String message)
            implements OperationResponseBody {}

    /**
     * The worker pool of the poller group (netpoll's gopool).
     * @param poolSize worker threads alive
     * @param activeThreads workers busy with a task
     * @param runningThreads workers running and not blocked in a read or flush
     * @param parallelism target of running workers
     * @param queuedTasks tasks waiting for a worker
     * @param completedTasks tasks finished
     */
    public record WorkersDescriptor(
            int poolSize,
            int activeThreads,
            int runningThreads,
            int parallelism,
            long queuedTasks,
            long completedTasks) {}

    /**
     * The buffer pool.
     * @param usedBytes memory handed out to buffers
     * @param pooledBytes free memory kept for reuse
     * @param reservedBytes direct memory held, counted against the budget
     * @param maxPooledBytes ceiling of the free memory
     * @param maxDirectBytes budget on all direct memory held
     * @param outstandingNodes memory nodes handed out
     * @param budgetRefusals requests refused at the budget
     * @param decayedBytes free memory given back by decay
     * @param decayMillis the decay interval, 0 for none
     * @param leaksDetected nodes collected without being released
     * @param sizeClasses per size class, then unpooled blocks ({@code nodeSize} -1)
     */
    public record BuffersDescriptor(
            long usedBytes,
            long pooledBytes,
            long reservedBytes,
            long maxPooledBytes,
            long maxDirectBytes,
            long outstandingNodes,
            long budgetRefusals,
            long decayedBytes,
            long decayMillis,
            long leaksDetected,
            List<SizeClassDescriptor> sizeClasses) {}

    /**
     * One size class of the buffer pool.
     * @param nodeSize block size, -1 for unpooled blocks
     * @param usedBytes memory of this class handed out
     * @param pooledBytes memory of this class kept free
     */
    public record SizeClassDescriptor(long nodeSize, long usedBytes, long pooledBytes) {}
}
