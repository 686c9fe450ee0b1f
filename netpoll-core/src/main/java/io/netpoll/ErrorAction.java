package io.netpoll;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/**
 * What an {@link OnError} hook decides for a failed handler call: whether the connection closes
 * and what is logged. Immutable; the four kinds are the static factories.
 */
public final class ErrorAction {
    private static final ErrorAction CLOSE = new ErrorAction(true, true, null);
    private static final ErrorAction CLOSE_QUIETLY = new ErrorAction(true, false, null);
    private static final ErrorAction KEEP_OPEN = new ErrorAction(false, false, null);

    private final boolean close;
    private final boolean defaultLog;
    private final System.Logger.@Nullable Level level;

    private ErrorAction(boolean close, boolean defaultLog, System.Logger.@Nullable Level level) {
        this.close = close;
        this.defaultLog = defaultLog;
        this.level = level;
    }

    /**
     * Close the connection and log as without a hook: an error the peer caused
     * ({@link #isPeerError}) as one rate-limited line without stack trace, any other at WARNING
     * with its stack trace.
     */
    public static ErrorAction close() {
        return CLOSE;
    }

    /** Close the connection and log nothing (the error is still counted). */
    public static ErrorAction closeQuietly() {
        return CLOSE_QUIETLY;
    }

    /**
     * Close the connection and log the error, with its stack trace, at {@code level} (not rate
     * limited: choose a level that the configuration filters if errors can come in floods).
     */
    public static ErrorAction close(System.Logger.Level level) {
        if (level == null) {
            throw new NullPointerException("level");
        }
        return new ErrorAction(true, false, level);
    }

    /**
     * Keep the connection open: the hook dealt with the error (typically by writing a reply).
     * Logs nothing; the error is still counted. The bytes the failed call took are released as
     * after any call, so the handler must be able to go on from there (a request/reply protocol
     * whose request was taken whole, for example).
     */
    public static ErrorAction keepOpen() {
        return KEEP_OPEN;
    }

    /** True if the connection is closed. */
    public boolean closesConnection() {
        return close;
    }

    /** True if the error is logged as without a hook ({@link #close()}). */
    public boolean defaultLogging() {
        return defaultLog;
    }

    /** The level chosen by {@link #close(System.Logger.Level)}, or {@code null}. */
    public System.Logger.@Nullable Level level() {
        return level;
    }

    /**
     * True if {@code error}, or one of its causes, is the peer's doing rather than the handler's:
     * a read, write or dial timeout ({@link SocketTimeoutException}: {@link ReadTimeoutException},
     * {@link WriteTimeoutException}, {@link DialTimeoutException}), a refused or unreachable dial
     * ({@link ConnectException}, {@link NoRouteToHostException}, {@link PortUnreachableException}),
     * a closed connection ({@link ConnectionClosedException}, e.g. an upstream's), a reset or a
     * broken pipe ({@link SocketException}, or an {@link IOException} saying so).
     */
    public static boolean isPeerError(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof SocketTimeoutException
                    || t instanceof SocketException
                    || t instanceof ConnectionClosedException) {
                return true; // ConnectException, NoRouteToHost, PortUnreachable are SocketExceptions
            }
            if (t instanceof IOException && t.getMessage() != null) {
                String m = t.getMessage().toLowerCase(Locale.ROOT);
                if (m.contains("connection reset") || m.contains("broken pipe")) {
                    return true; // the JDK's NIO sockets throw plain IOExceptions for these
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        if (!close) {
            return "ErrorAction[keepOpen]";
        }
        return defaultLog
                ? "ErrorAction[close]"
                : level == null ? "ErrorAction[closeQuietly]" : "ErrorAction[close, log at " + level + "]";
    }
}
