package io.netpoll.spring.autoconfigure;

import io.netpoll.OnRequest;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollStartupException;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which servers to declare, from the bound properties, the {@code @NetpollHandler} beans and the
 * event-loop beans the application defines itself. Plain code, no context: the registrar feeds
 * it what it read from the bean definitions.
 * <p>
 * Rules, each failing with a {@link NetpollStartupException}: two handlers for one server; a
 * handler naming a server that is not configured; a configured named server without a handler;
 * a handler bean that does not implement {@link OnRequest}. The default server without a
 * handler is simply not declared (a client-only application), nor is a disabled server.
 *
 * @author netpoll-java
 */
final class NetpollServerPlan {

    private NetpollServerPlan() {}

    /**
     * A {@code @NetpollHandler} bean.
     * @param beanName the bean name
     * @param server the server it serves
     * @param type the bean type, if known without creating the bean
     */
    record Handler(String beanName, String server, @Nullable Class<?> type) {}

    /**
     * One server to declare.
     * @param name the server name
     * @param handlerBeanName the handler bean, or null when the application defines the event
     * loop itself
     */
    record Entry(String name, @Nullable String handlerBeanName) {

        boolean ownEventLoop() {
            return this.handlerBeanName != null;
        }
    }

    /**
     * Plan the servers.
     * @param servers every server by name (default first), disabled ones included
     * @param handlers the handler beans, in definition order
     * @param applicationEventLoop whether the application defines the event-loop bean of a
     * server (by server name)
     * @param warnings receives what is odd but allowed
     * @return the servers to declare, in order
     */
    static List<Entry> plan(
            Map<String, NetpollProperties.Server> servers,
            List<Handler> handlers,
            Predicate<String> applicationEventLoop,
            List<String> warnings) {
        Map<String, List<String>> byServer = new LinkedHashMap<>();
        for (Handler handler : handlers) {
            if (handler.type() != null && !OnRequest.class.isAssignableFrom(handler.type())) {
                throw new NetpollStartupException(
                        "Bean '" + handler.beanName() + "' (" + handler.type().getName()
                                + ") is annotated @NetpollHandler but does not implement io.netpoll.OnRequest.",
                        "Implement io.netpoll.OnRequest in " + handler.type().getSimpleName()
                                + ", or remove @NetpollHandler.");
            }
            if (!servers.containsKey(handler.server())) {
                Set<String> configured = servers.keySet();
                throw new NetpollStartupException(
                        "Bean '" + handler.beanName() + "' is a @NetpollHandler for server '" + handler.server()
                                + "', but no such server is configured (configured: " + configured + ").",
                        "Configure the server, for example 'netpoll.servers." + handler.server()
                                + ".port=9000', or fix the server name in @NetpollHandler(server = \""
                                + handler.server() + "\").");
            }
            byServer.computeIfAbsent(handler.server(), (key) -> new ArrayList<>())
                    .add(handler.beanName());
        }
        List<Entry> entries = new ArrayList<>();
        servers.forEach((name, server) -> {
            if (!server.isEnabled()) {
                return;
            }
            List<String> handlerNames = byServer.getOrDefault(name, List.of());
            boolean userEventLoop = applicationEventLoop.test(name);
            if (handlerNames.size() > 1) {
                throw new NetpollStartupException(
                        "Netpoll server '" + name + "' has " + handlerNames.size() + " handlers: " + handlerNames
                                + ". A server has exactly one OnRequest handler.",
                        "Keep one @NetpollHandler for server '" + name + "', or give the others a server of their own: "
                                + "@NetpollHandler(server = \"other\") and 'netpoll.servers.other.port=...'.");
            }
            if (userEventLoop) {
                if (!handlerNames.isEmpty()) {
                    warnings.add("Netpoll server '" + name + "' uses the application's '"
                            + NetpollServerBeanRegistrar.eventLoopBeanName(name) + "' bean; its @NetpollHandler bean "
                            + handlerNames + " is not used by it");
                }
                entries.add(new Entry(name, null));
                return;
            }
            if (handlerNames.isEmpty()) {
                if (!NetpollServer.DEFAULT_NAME.equals(name)) {
                    throw new NetpollStartupException(
                            "Netpoll server '" + name + "' is configured (netpoll.servers." + name
                                    + ".*) but no @NetpollHandler bean serves it.",
                            "Annotate the handler bean with @NetpollHandler(server = \"" + name
                                    + "\"), or remove the 'netpoll.servers." + name
                                    + ".*' properties, or set 'netpoll.servers." + name + ".enabled=false'.");
                }
                return;
            }
            entries.add(new Entry(name, handlerNames.get(0)));
        });
        return entries;
    }
}
