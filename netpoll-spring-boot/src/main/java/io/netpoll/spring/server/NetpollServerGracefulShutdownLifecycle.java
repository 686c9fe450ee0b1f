package io.netpoll.spring.server;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.ClassUtils;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drains every netpoll server when the context closes: each stops accepting, lets running
 * handlers finish within its grace period, then closes what is left. Runs in the phase of
 * Boot's {@code WebServerGracefulShutdownLifecycle}, so netpoll servers and an embedded web
 * server drain in parallel, within one {@code spring.lifecycle.timeout-per-shutdown-phase}; if
 * that timeout ends first, {@link NetpollServerStartStopLifecycle} closes the rest. In a context
 * without a web server, the drain starts by publishing {@link ReadinessState#REFUSING_TRAFFIC},
 * as Boot's web server contexts do when they close.
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

    private static final String WEB_SERVER_CONTEXT =
            "org.springframework.boot.web.server.context.WebServerApplicationContext";

    private final NetpollServers servers;

    private final @Nullable ApplicationContext applicationContext;

    private volatile boolean running;

    public NetpollServerGracefulShutdownLifecycle(NetpollServers servers) {
        this(servers, null);
    }

    /**
     * Create the lifecycle.
     * @param servers the servers to drain
     * @param applicationContext the context, to publish {@link ReadinessState#REFUSING_TRAFFIC}
     * when the drain starts (Boot's web server contexts do that themselves; a context without a
     * web server does not)
     */
    public NetpollServerGracefulShutdownLifecycle(
            NetpollServers servers, @Nullable ApplicationContext applicationContext) {
        this.servers = servers;
        this.applicationContext = applicationContext;
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
        if (this.applicationContext != null && !isWebServerContext(this.applicationContext)) {
            AvailabilityChangeEvent.publish(this.applicationContext, ReadinessState.REFUSING_TRAFFIC);
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

    private static boolean isWebServerContext(ApplicationContext context) {
        ClassLoader classLoader = context.getClassLoader();
        if (!ClassUtils.isPresent(WEB_SERVER_CONTEXT, classLoader)) {
            return false;
        }
        return ClassUtils.resolveClassName(WEB_SERVER_CONTEXT, classLoader).isInstance(context);
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
