package io.netpoll.spring.server;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.context.SmartLifecycle;

/**
 * Drains every netpoll server when the context closes: each stops accepting, lets running
 * handlers finish within its grace period, then closes what is left. Runs in the phase of
 * Boot's {@code WebServerGracefulShutdownLifecycle}, so netpoll servers and an embedded web
 * server drain in parallel, within one {@code spring.lifecycle.timeout-per-shutdown-phase}; if
 * that timeout ends first, {@link NetpollServerStartStopLifecycle} closes the rest.
 * <p>
 * Not pauseable.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public final class NetpollServerGracefulShutdownLifecycle implements SmartLifecycle {

	/**
	 * The phase of this lifecycle: {@code SmartLifecycle.DEFAULT_PHASE - 1024}, the value of
	 * Boot's {@code WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE}.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

	private final NetpollServers servers;

	private volatile boolean running;

	public NetpollServerGracefulShutdownLifecycle(NetpollServers servers) {
		this.servers = servers;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		throw new UnsupportedOperationException("Stop must not be invoked directly");
	}

	@Override
	public void stop(Runnable callback) {
		this.running = false;
		Collection<NetpollServer> all = this.servers.all();
		if (all.isEmpty()) {
			callback.run();
			return;
		}
		AtomicInteger remaining = new AtomicInteger(all.size());
		for (NetpollServer server : all) {
			server.shutDownGracefully(() -> {
				if (remaining.decrementAndGet() == 0) {
					callback.run();
				}
			});
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public boolean isPauseable() {
		return false;
	}

}
