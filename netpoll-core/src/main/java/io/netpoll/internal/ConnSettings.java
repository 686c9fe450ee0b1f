package io.netpoll.internal;

import io.netpoll.OnConnect;
import io.netpoll.OnDisconnect;
import io.netpoll.OnError;
import io.netpoll.OnPrepare;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Options shared by the connections of one event loop or dialer. Filled by {@code Option}s
 * (through a config builder) before use, then only read: not thread-safe for writing. A built
 * {@code ServerConfig}/{@code DialerConfig} holds its own {@link #copy()}, never changed again.
 */
public final class ConnSettings {
    public Duration readTimeout;
    public Duration writeTimeout;
    public Duration idleTimeout;
    public boolean keepAlive = true;
    public boolean noDelay = true;
    /** Unconsumed input bytes above which the poller stops reading from the socket. */
    public int maxInputBytes = 64 << 20;
    /** Unsent output bytes above which a flush that cannot wait (on the poller) closes the connection. */
    public int maxOutputBytes = 64 << 20;
    /** SO_SNDBUF of each connection; 0 = the OS default. */
    public int sendBufferSize;
    /** SO_RCVBUF of each connection (an event loop sets it on its listeners); 0 = the OS default. */
    public int receiveBufferSize;
    /** A dialer's connect timeout for calls without one; null = none (the OS's). */
    public Duration connectTimeout;
    /** Open connections per event loop above which accepted sockets are closed at once; 0 = no limit. */
    public int maxConnections;
    /** Keep the output open after the peer's FIN until the handler closes or shuts it down (Option.allowHalfClosure). */
    public boolean halfClosure;

    public OnPrepare<?> onPrepare;
    public OnConnect<?> onConnect;
    public OnDisconnect<?> onDisconnect;
    /** The application's error hook; null = the default handling (see ErrorPolicy). */
    public OnError<?> onError;
    /** Where connection buffers take memory from; null means {@code BufferPool.defaultPool()}. */
    public io.netpoll.buffer.BufferPool bufferPool;
    /** Null means the poller group's worker pool. */
    public Executor executor;
    /** Where handlers run. */
    public io.netpoll.HandlerMode mode = io.netpoll.HandlerMode.ADAPTIVE;
    /** Null means the default group. Typed as Object to keep this class free of the public group type. */
    public Object group;
    /** TLS for every connection (its mode matches the side); null = plaintext. */
    public io.netpoll.tls.TlsConfig tls;

    /**
     * Rejects settings that do not work together: half-closure over TLS would need a
     * {@code close_notify} ahead of the FIN and TLS 1.3's half-close rules, which the transport
     * does not implement yet.
     */
    public void checkCombination() {
        if (tls != null && halfClosure) {
            throw new IllegalArgumentException("allowHalfClosure(true) is not supported together with tls(...) yet");
        }
    }

    /** An independent copy (a config's snapshot of a builder). */
    public ConnSettings copy() {
        ConnSettings c = new ConnSettings();
        c.readTimeout = readTimeout;
        c.writeTimeout = writeTimeout;
        c.idleTimeout = idleTimeout;
        c.keepAlive = keepAlive;
        c.noDelay = noDelay;
        c.maxInputBytes = maxInputBytes;
        c.maxOutputBytes = maxOutputBytes;
        c.sendBufferSize = sendBufferSize;
        c.receiveBufferSize = receiveBufferSize;
        c.connectTimeout = connectTimeout;
        c.maxConnections = maxConnections;
        c.halfClosure = halfClosure;
        c.onPrepare = onPrepare;
        c.onConnect = onConnect;
        c.onDisconnect = onDisconnect;
        c.onError = onError;
        c.bufferPool = bufferPool;
        c.executor = executor;
        c.mode = mode;
        c.group = group;
        c.tls = tls;
        return c;
    }

    public static long nanos(Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            return 0;
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
