package io.netpoll.spring.autoconfigure;

import io.netpoll.EventLoop;
import io.netpoll.HandlerMode;
import io.netpoll.Netpoll;
import io.netpoll.OnConnect;
import io.netpoll.OnDisconnect;
import io.netpoll.OnError;
import io.netpoll.OnPrepare;
import io.netpoll.OnRequest;
import io.netpoll.PollerGroup;
import io.netpoll.ServerConfig;
import io.netpoll.buffer.BufferPool;
import io.netpoll.spring.server.NetpollHandlerDecorator;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServerCustomizer;
import io.netpoll.spring.server.NetpollStartupException;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.util.Assert;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Creates the {@link EventLoop} and the {@link NetpollServer} of each configured server from
 * {@code netpoll.server.*} / {@code netpoll.servers.<name>.*}, the context's engine beans
 * (poller group, buffer pool, worker executor) and the application's
 * {@link NetpollHandlerDecorator decorators} and {@link NetpollServerCustomizer customizers}.
 * <p>
 * The auto-configuration registers it as the bean {@code netpollEventLoopFactory} and declares
 * each server's beans as factory methods of it ({@link #createEventLoop} and
 * {@link #createServer}) with the server name as argument: plain bean definitions that Spring's
 * AOT engine turns into generated code, without reflection or instance suppliers. An
 * application can call it to build an event loop of its own with the same settings.
 * <p>
 * Thread-safe; each call creates new objects that the caller owns (the context, for the beans
 * it declares: it stops each server, which shuts its event loop down).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollEventLoopFactory {

    /**
     * Bean name of the factory.
     */
    public static final String BEAN_NAME = "netpollEventLoopFactory";

    private final NetpollProperties properties;

    private final PollerGroup pollerGroup;

    private final ObjectProvider<BufferPool> bufferPool;

    private final ObjectProvider<Executor> workerExecutor;

    private final ObjectProvider<NetpollHandlerDecorator> decorators;

    private final ObjectProvider<NetpollServerCustomizer> customizers;

    private final Duration defaultGracePeriod;

    /**
     * Create a factory.
     * @param properties the bound {@code netpoll.*} properties
     * @param pollerGroup the pollers every event loop uses
     * @param bufferPool the buffer memory, if the context has a pool
     * @param workerExecutor the worker executor, if the context has one (else netpoll-core's pool)
     * @param decorators the handler decorators, applied in order
     * @param customizers the customizers of each server's settings, applied in order after the properties
     * @param defaultGracePeriod the grace period of servers that do not set
     * {@code shutdown.grace-period} ({@code spring.lifecycle.timeout-per-shutdown-phase})
     */
    public NetpollEventLoopFactory(
            NetpollProperties properties,
            PollerGroup pollerGroup,
            ObjectProvider<BufferPool> bufferPool,
            ObjectProvider<Executor> workerExecutor,
            ObjectProvider<NetpollHandlerDecorator> decorators,
            ObjectProvider<NetpollServerCustomizer> customizers,
            Duration defaultGracePeriod) {
        this.properties = properties;
        this.pollerGroup = pollerGroup;
        this.bufferPool = bufferPool;
        this.workerExecutor = workerExecutor;
        this.decorators = decorators;
        this.customizers = customizers;
        this.defaultGracePeriod = defaultGracePeriod;
    }

    /**
     * The settings of a server's event loop: the engine beans, then the server's properties,
     * then the customizers (the last setting of a kind wins).
     * @param serverName the server name
     * @param handler the handler bean, for its optional {@link OnPrepare}, {@link OnConnect},
     * {@link OnDisconnect} and {@link OnError} callbacks
     * @return a builder holding those settings, for the caller to change or build
     */
    public ServerConfig.Builder config(String serverName, Object handler) {
        NetpollProperties.Server server = server(serverName);
        ServerConfig.Builder config = ServerConfig.builder().pollerGroup(this.pollerGroup);
        PropertyMapper map = PropertyMapper.get();
        NetpollOptions.bufferPool(config, this.bufferPool);
        HandlerMode mode = server.getHandlerMode();
        Executor executor = this.workerExecutor.getIfAvailable();
        if (executor != null && (mode == null || mode == HandlerMode.WORKER)) {
            // A configured worker executor (virtual threads, max-size) keeps its servers in worker mode.
            config.executor(executor);
        } else if (mode != null) {
            config.handlerMode(mode);
        }
        NetpollOptions.connection(config, server.getConnection());
        map.from(server.isAllowHalfClosure()).when((on) -> on).to(config::allowHalfClosure);
        // SO_RCVBUF and the backlog are set on the listening socket by NetpollServer (so that they
        // apply to event loops of the application too); SO_SNDBUF on each accepted socket by the loop.
        NetpollOptions.socketBuffers(config, server.getSendBufferSize(), null);
        // Enforced by the event loop right after accept, before OnPrepare, logged at DEBUG only.
        map.from(server.getMaxConnections()).when((max) -> max > 0).to(config::maxConnections);
        map.from(handler).whenInstanceOf(OnPrepare.class).to(config::onPrepare);
        map.from(handler).whenInstanceOf(OnConnect.class).to(config::onConnect);
        map.from(handler).whenInstanceOf(OnDisconnect.class).to(config::onDisconnect);
        map.from(handler).whenInstanceOf(OnError.class).to(config::onError);
        this.customizers.orderedStream().forEach((customizer) -> customizer.customize(serverName, config));
        return config;
    }

    /**
     * Create the event loop of a server.
     * @param serverName the server name ({@code default} or a key of {@code netpoll.servers})
     * @param handler the handler bean; must implement {@link OnRequest}
     * @return a new event loop, not serving yet
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public EventLoop createEventLoop(String serverName, Object handler) {
        Assert.isInstanceOf(OnRequest.class, handler, "Netpoll handler of server '" + serverName + "'");
        OnRequest request = (OnRequest) handler;
        for (NetpollHandlerDecorator decorator : this.decorators.orderedStream().toList()) {
            request = decorator.decorate(serverName, request);
        }
        ServerConfig config;
        try {
            config = config(serverName, handler).build();
        } catch (IllegalArgumentException ex) {
            // Settings that do not work together (half-closure with TLS set by a customizer, ...):
            // the properties catch what they can see; this names the server for the rest.
            throw new NetpollStartupException(
                    "Netpoll server '" + serverName + "' has settings that do not work together: " + ex.getMessage(),
                    "Change the properties of server '" + serverName + "' ("
                            + (NetpollServer.DEFAULT_NAME.equals(serverName)
                                    ? "netpoll.server.*"
                                    : "netpoll.servers." + serverName + ".*")
                            + ") or the NetpollServerCustomizer beans that change its settings.",
                    ex);
        }
        return Netpoll.newEventLoop(request, config);
    }

    /**
     * Create a server that serves an event loop on the endpoint its properties configure.
     * @param serverName the server name
     * @param eventLoop the event loop (from {@link #createEventLoop} or the application's)
     * @param ownEventLoop whether the event loop came from {@link #createEventLoop} (and so
     * enforces {@code max-connections})
     * @return a new server, not started
     */
    public NetpollServer createServer(String serverName, EventLoop eventLoop, boolean ownEventLoop) {
        NetpollProperties.Server server = server(serverName);
        int receiveBuffer =
                (server.getReceiveBufferSize() != null) ? NetpollOptions.toInt(server.getReceiveBufferSize()) : 0;
        NetpollServer.Endpoint endpoint = new NetpollServer.Endpoint(
                serverName,
                server.getNetwork(),
                server.getAddress(),
                server.getPort(),
                server.getPath(),
                server.getBacklog(),
                receiveBuffer);
        int maxConnections = (ownEventLoop && server.getMaxConnections() > 0) ? server.getMaxConnections() : -1;
        Duration gracePeriod = server.getShutdown().getGracePeriod();
        return new NetpollServer(
                serverName,
                eventLoop,
                endpoint,
                (gracePeriod != null) ? gracePeriod : this.defaultGracePeriod,
                maxConnections);
    }

    private NetpollProperties.Server server(String serverName) {
        NetpollProperties.@Nullable Server server =
                this.properties.serversByName().get(serverName);
        Assert.state(server != null, () -> "No netpoll server named '" + serverName + "' is configured");
        return server;
    }
}
