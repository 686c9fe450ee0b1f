package io.netpoll.internal;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The one place that sets socket options, for every moment of a socket's life: a listener
 * before it binds (or before it serves), a dialed socket before it connects, and a connected
 * socket (accepted or dialed). Event loops, dialers and listeners all come here, so a server and
 * a client with the same settings get the same options. Stateless and thread-safe.
 *
 * <p>Why the order matters: SO_RCVBUF decides the TCP window scale offered in the handshake, so
 * it is set on a listener before it accepts (accepted sockets inherit it) and on a dialed socket
 * before it connects; it is set again on each accepted socket for connections the kernel
 * completed before the listener had it. Unix domain sockets take the buffer sizes but neither
 * TCP_NODELAY nor SO_KEEPALIVE.
 */
public final class SocketOptions {
    private SocketOptions() {}

    /**
     * A listening socket: SO_REUSEADDR for TCP (before bind), and SO_RCVBUF when
     * {@code receiveBufferSize > 0} and the socket supports it.
     *
     * @param beforeBind true when called before {@code bind} (then SO_REUSEADDR is set too)
     */
    public static void listener(ServerSocketChannel ch, boolean tcp, int receiveBufferSize, boolean beforeBind)
            throws IOException {
        if (tcp && beforeBind) {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        }
        if (receiveBufferSize > 0 && ch.isOpen() && ch.supportedOptions().contains(StandardSocketOptions.SO_RCVBUF)) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferSize);
        }
    }

    /** A dialed socket before it connects: the buffer sizes (SO_RCVBUF fixes the window scale in the SYN). */
    public static void beforeConnect(SocketChannel ch, ConnSettings s) throws IOException {
        if (s.receiveBufferSize > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, s.receiveBufferSize);
        }
        if (s.sendBufferSize > 0) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, s.sendBufferSize);
        }
    }

    /**
     * A connected socket, accepted or dialed: non-blocking, TCP_NODELAY and SO_KEEPALIVE (TCP
     * only); for an accepted socket also the buffer sizes (a dialed one got them before connecting).
     */
    public static void connected(SocketChannel ch, ConnSettings s, boolean accepted) throws IOException {
        ch.configureBlocking(false);
        if (!(ch.getLocalAddress() instanceof UnixDomainSocketAddress
                || ch.getRemoteAddress() instanceof UnixDomainSocketAddress)) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, s.noDelay);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, s.keepAlive);
        }
        if (accepted) {
            if (s.sendBufferSize > 0) {
                ch.setOption(StandardSocketOptions.SO_SNDBUF, s.sendBufferSize);
            }
            if (s.receiveBufferSize > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, s.receiveBufferSize);
            }
        }
    }
}
