package io.netpoll.spring.server;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts every netpoll server when the context refreshes and stops them (immediately) when it
 * closes, in the phase Boot's embedded web servers use for the same thing. After start, each
 * server's port is published as {@code local.netpoll.server.port} (default server) or
 * {@code local.netpoll.server.<name>.port}, in the {@code server.ports} property source shared
 * with Boot's web servers, and a {@link NetpollServerStartedEvent} is published.
 * <p>
 * Not pauseable: a paused test context must not keep a bound port without serving it.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public final class NetpollServerStartStopLifecycle implements SmartLifecycle {

    /**
     * The phase of this lifecycle: {@code SmartLifecycle.DEFAULT_PHASE - 2048}, the value of
     * Boot's {@code WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE} (not imported, so that
     * netpoll does not depend on Boot's web-server module).
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

    private static final String PROPERTY_SOURCE_NAME = "server.ports";

    private final NetpollServers servers;

    private final ApplicationContext applicationContext;

    private volatile boolean running;

    public NetpollServerStartStopLifecycle(NetpollServers servers, ApplicationContext applicationContext) {
        this.servers = servers;
        this.applicationContext = applicationContext;
    }

    @Override
    public void start() {
        List<NetpollServer> started = new ArrayList<>();
        try {
            for (NetpollServer server : this.servers.all()) {
                server.start();
                started.add(server);
            }
        } catch (RuntimeException ex) {
            started.forEach(NetpollServer::stop);
            throw ex;
        }
        this.running = true;
        for (NetpollServer server : started) {
            if (server.getPort() >= 0) {
                publishPort(this.applicationContext, portProperty(server.getName()), server.getPort());
            }
            this.applicationContext.publishEvent(new NetpollServerStartedEvent(server));
        }
    }

    @Override
    public void stop() {
        this.running = false;
        this.servers.all().forEach(NetpollServer::stop);
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

    /**
     * The name of the property that holds a server's actual port.
     * @param serverName the server name
     * @return {@code local.netpoll.server.port} or {@code local.netpoll.server.<name>.port}
     */
    public static String portProperty(String serverName) {
        return NetpollServer.DEFAULT_NAME.equals(serverName)
                ? "local.netpoll.server.port"
                : "local.netpoll.server." + serverName + ".port";
    }

    @SuppressWarnings("unchecked")
    private static void publishPort(ApplicationContext context, String property, int port) {
        if (context instanceof ConfigurableApplicationContext configurable) {
            ConfigurableEnvironment environment = configurable.getEnvironment();
            MutablePropertySources sources = environment.getPropertySources();
            PropertySource<?> source = sources.get(PROPERTY_SOURCE_NAME);
            if (source == null) {
                source = new MapPropertySource(PROPERTY_SOURCE_NAME, new HashMap<>());
                sources.addFirst(source);
            }
            ((Map<String, Object>) source.getSource()).put(property, port);
        }
        if (context.getParent() != null) {
            publishPort(context.getParent(), property, port);
        }
    }
}
