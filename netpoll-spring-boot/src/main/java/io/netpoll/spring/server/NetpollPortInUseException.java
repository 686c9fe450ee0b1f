package io.netpoll.spring.server;

/**
 * A netpoll server could not bind its address because something else is listening there.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollPortInUseException extends NetpollStartupException {

    private static final long serialVersionUID = 1L;

    private final String serverName;

    private final String address;

    public NetpollPortInUseException(String serverName, String address, String property, Throwable cause) {
        super(
                "Netpoll server '" + serverName + "' failed to start: " + address + " is already in use.",
                "Identify and stop the process that is listening on " + address + ", or set '" + property
                        + "' to another value (0 picks a free port).",
                cause);
        this.serverName = serverName;
        this.address = address;
    }

    public String getServerName() {
        return this.serverName;
    }

    public String getAddress() {
        return this.address;
    }
}
