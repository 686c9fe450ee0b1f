package io.netpoll.spring.server;

import org.springframework.context.ApplicationEvent;

/**
 * Published when a netpoll server is listening, with its actual port (useful with port 0).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollServerStartedEvent extends ApplicationEvent {

    private static final long serialVersionUID = 1L;

    public NetpollServerStartedEvent(NetpollServer server) {
        super(server);
    }

    public NetpollServer getServer() {
        return (NetpollServer) getSource();
    }

    /**
     * The port the server listens on, or -1 for a Unix domain socket.
     * @return the port
     */
    public int getPort() {
        return getServer().getPort();
    }
}
