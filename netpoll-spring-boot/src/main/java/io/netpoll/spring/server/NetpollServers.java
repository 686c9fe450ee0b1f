package io.netpoll.spring.server;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The netpoll servers of an application context, by name (the default server first). Empty in
 * a client-only application. Thread-safe; the servers are looked up once, on first use (after
 * the context created its singletons, they are all there).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public final class NetpollServers {

    private final Supplier<Stream<NetpollServer>> source;

    private volatile @Nullable Map<String, NetpollServer> servers;

    /**
     * Servers given up front.
     * @param servers the servers
     */
    public NetpollServers(Stream<NetpollServer> servers) {
        Map<String, NetpollServer> map = sort(servers);
        this.source = Stream::empty;
        this.servers = map;
    }

    /**
     * Servers looked up on first use, so that a bean the servers depend on (a handler) can
     * inject this one without a cycle.
     * @param servers the server beans
     */
    public NetpollServers(ObjectProvider<NetpollServer> servers) {
        this.source = servers::orderedStream;
    }

    private static Map<String, NetpollServer> sort(Stream<NetpollServer> servers) {
        Map<String, NetpollServer> map = new LinkedHashMap<>();
        servers.sorted((a, b) -> Boolean.compare(
                        !NetpollServer.DEFAULT_NAME.equals(a.getName()),
                        !NetpollServer.DEFAULT_NAME.equals(b.getName())))
                .forEach((server) -> map.put(server.getName(), server));
        return Collections.unmodifiableMap(map);
    }

    private Map<String, NetpollServer> servers() {
        Map<String, NetpollServer> servers = this.servers;
        if (servers == null) {
            servers = sort(this.source.get());
            this.servers = servers;
        }
        return servers;
    }

    /**
     * The server with this name.
     * @param name the name
     * @return the server or null
     */
    public @Nullable NetpollServer get(String name) {
        return servers().get(name);
    }

    /**
     * Every server by name.
     * @return an unmodifiable map
     */
    public Map<String, NetpollServer> asMap() {
        return servers();
    }

    public Collection<NetpollServer> all() {
        return servers().values();
    }

    public boolean isEmpty() {
        return servers().isEmpty();
    }
}
