package io.netpoll.spring.server;

/**
 * A netpoll server cannot start because of how the application is configured. Carries the
 * description and the action that {@code NetpollFailureAnalyzer} reports at startup.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollStartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String action;

    public NetpollStartupException(String description, String action) {
        this(description, action, null);
    }

    public NetpollStartupException(String description, String action, Throwable cause) {
        super(description, cause);
        this.action = action;
    }

    /**
     * What the failure is.
     * @return the description
     */
    public String getDescription() {
        return getMessage();
    }

    /**
     * What to change to fix it.
     * @return the action
     */
    public String getAction() {
        return this.action;
    }
}
