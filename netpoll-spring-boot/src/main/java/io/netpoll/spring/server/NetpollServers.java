package io.netpoll.spring.server;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * The netpoll servers of an application context, by name (the default server first). Empty in
 * a client-only application.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public final class NetpollServers {

	private final Map<String, NetpollServer> servers;

	public NetpollServers(Stream<NetpollServer> servers) {
		Map<String, NetpollServer> map = new LinkedHashMap<>();
		servers.sorted((a, b) -> Boolean.compare(!NetpollServer.DEFAULT_NAME.equals(a.getName()),
				!NetpollServer.DEFAULT_NAME.equals(b.getName())))
			.forEach((server) -> map.put(server.getName(), server));
		this.servers = Collections.unmodifiableMap(map);
	}

	/**
	 * The server with this name.
	 * @param name the name
	 * @return the server or null
	 */
	public @Nullable NetpollServer get(String name) {
		return this.servers.get(name);
	}

	/**
	 * Every server by name.
	 * @return an unmodifiable map
	 */
	public Map<String, NetpollServer> asMap() {
		return this.servers;
	}

	public Collection<NetpollServer> all() {
		return this.servers.values();
	}

	public boolean isEmpty() {
		return this.servers.isEmpty();
	}

}
