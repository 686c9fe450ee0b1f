package io.netpoll.spring.actuate.endpoint;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.netpoll.NetStats;
import io.netpoll.PollerGroup;
import io.netpoll.PollerGroupStats;
import io.netpoll.WorkerPoolStats;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.BufferPoolStats;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServers;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code netpoll} Actuator endpoint ({@code /actuator/netpoll}): one read operation with the
 * servers, the pollers, the worker pool and the buffer memory, built from the statistics
 * netpoll-core already keeps ({@link NetStats}, {@link PollerGroupStats}, {@link WorkerPoolStats},
 * {@link BufferPoolStats}).
 *
 * <p>Cost and threading: a read takes a snapshot of counters the library maintains anyway; it
 * adds nothing to the request path, takes no lock a connection takes, and is safe while
 * connections open and close (numbers read one after another may belong to slightly different
 * moments). Never shows peer addresses.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@Endpoint(id = "netpoll")
public class NetpollEndpoint {

	private final NetpollServers servers;

	private final PollerGroup pollerGroup;

	private final BufferPool bufferPool;

	/**
	 * The endpoint over a context's servers, poller group and buffer pool.
	 * @param servers the servers (may be empty: a client-only application)
	 * @param pollerGroup the poller group the servers and the dialer share
	 * @param bufferPool the buffer pool the servers and the dialer allocate from
	 */
	public NetpollEndpoint(NetpollServers servers, PollerGroup pollerGroup, BufferPool bufferPool) {
		this.servers = servers;
		this.pollerGroup = pollerGroup;
		this.bufferPool = bufferPool;
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
		return new NetpollDescriptor(servers,
				new PollersDescriptor(this.pollerGroup.numLoops(), pollers.pollers(), pollers.pendingTasks(),
						pollers.registrations(), pollers.selectorRebuilds()),
				new WorkersDescriptor(workers.poolSize(), workers.activeThreads(), workers.runningThreads(),
						workers.parallelism(), workers.queuedTasks(), workers.completedTasks()),
				new BuffersDescriptor(buffers.usedBytes(), buffers.pooledBytes(), buffers.reservedBytes(),
						buffers.maxPooledBytes(), buffers.maxDirectBytes(), buffers.outstandingNodes(),
						buffers.budgetRefusals(), buffers.decayedBytes(), this.bufferPool.decay().toMillis(),
						buffers.leaksDetected(), buffers.sizeClasses()
							.stream()
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
		return new ServerDescriptor(server.getState().name(), endpoint.network().name().toLowerCase(Locale.ROOT),
				address, port, (endpoint.path() != null) ? endpoint.path().toString() : null,
				server.getMaxConnections(), stats.connectionsActive(), stats.connectionsAccepted(),
				stats.connectionsRejected(), stats.bytesIn(), stats.bytesOut(), stats.requestsActive(),
				stats.requestsTotal(), stats.handlerErrors(), stats.outputLimitCloses(), stats.writeTimeoutCloses());
	}

	/**
	 * The endpoint's answer.
	 * @param servers per server name
	 * @param pollers the poller group
	 * @param workers the poller group's worker pool
	 * @param buffers the buffer pool
	 */
	public record NetpollDescriptor(Map<String, ServerDescriptor> servers, PollersDescriptor pollers,
			WorkersDescriptor workers, BuffersDescriptor buffers) implements OperationResponseBody {
	}

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
	 */
	public record ServerDescriptor(String state, String network, @Nullable String address, @Nullable Integer port,
			@Nullable String path, int maxConnections, long connectionsActive, long connectionsAccepted,
			long connectionsRejected, long bytesIn, long bytesOut, long requestsActive, long requestsTotal,
			long handlerErrors, long outputLimitCloses, long writeTimeoutCloses) {
	}

	/**
	 * The pollers (netpoll-core keeps these numbers for the group, not per poller).
	 * @param configured pollers the group is configured for
	 * @param running poller threads running now
	 * @param pendingTasks tasks queued for the pollers
	 * @param registrations channels registered with the pollers
	 * @param selectorRebuilds selectors rebuilt after spinning
	 */
	public record PollersDescriptor(int configured, int running, long pendingTasks, long registrations,
			long selectorRebuilds) {
	}

	/**
	 * The worker pool of the poller group (netpoll's gopool).
	 * @param poolSize worker threads alive
	 * @param activeThreads workers busy with a task
	 * @param runningThreads workers running and not blocked in a read or flush
	 * @param parallelism target of running workers
	 * @param queuedTasks tasks waiting for a worker
	 * @param completedTasks tasks finished
	 */
	public record WorkersDescriptor(int poolSize, int activeThreads, int runningThreads, int parallelism,
			long queuedTasks, long completedTasks) {
	}

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
	public record BuffersDescriptor(long usedBytes, long pooledBytes, long reservedBytes, long maxPooledBytes,
			long maxDirectBytes, long outstandingNodes, long budgetRefusals, long decayedBytes, long decayMillis,
			long leaksDetected, List<SizeClassDescriptor> sizeClasses) {
	}

	/**
	 * One size class of the buffer pool.
	 * @param nodeSize block size, -1 for unpooled blocks
	 * @param usedBytes memory of this class handed out
	 * @param pooledBytes memory of this class kept free
	 */
	public record SizeClassDescriptor(long nodeSize, long usedBytes, long pooledBytes) {
	}

}
