package io.netpoll.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * Go-style network names and addresses: {@code tcp}, {@code tcp4}, {@code tcp6} with
 * {@code host:port}, {@code [v6]:port} or {@code :port}; {@code unix} with a file path.
 * Stateless and thread-safe.
 */
public final class Addresses {
    private Addresses() {}

    public static boolean isUnix(String network) {
        return "unix".equals(network);
    }

    /** The protocol family for {@code network}, or null for dual-stack {@code tcp}. */
    public static ProtocolFamily family(String network) {
        return switch (network) {
            case "tcp" -> null;
            case "tcp4" -> StandardProtocolFamily.INET;
            case "tcp6" -> StandardProtocolFamily.INET6;
            case "unix" -> StandardProtocolFamily.UNIX;
            default ->
                throw new IllegalArgumentException("unknown network '" + network + "' (tcp, tcp4, tcp6 or unix)");
        };
    }

    /** Resolves {@code address} for {@code network}; an empty host means the wildcard (listen) or loopback (dial). */
    public static SocketAddress resolve(String network, String address, boolean forListen) throws IOException {
        ProtocolFamily family = family(network);
        if (family == StandardProtocolFamily.UNIX) {
            if (address == null || address.isEmpty()) {
                throw new IllegalArgumentException("a unix address is a file path");
            }
            return UnixDomainSocketAddress.of(Path.of(address));
        }
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("missing port in address '" + address + "'");
        }
        String host = address.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in address '" + address + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range in address '" + address + "'");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            if (forListen) {
                return family == StandardProtocolFamily.INET
                        ? new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port)
                        : family == StandardProtocolFamily.INET6
                                ? new InetSocketAddress(InetAddress.getByName("::"), port)
                                : new InetSocketAddress(port);
            }
            host = family == StandardProtocolFamily.INET6 ? "::1" : "127.0.0.1";
        }
        InetAddress chosen = null;
        for (InetAddress a : InetAddress.getAllByName(host)) {
            if (family == null
                    || (family == StandardProtocolFamily.INET && a instanceof Inet4Address)
                    || (family == StandardProtocolFamily.INET6 && a instanceof Inet6Address)) {
                chosen = a;
                break;
            }
        }
        if (chosen == null) {
            throw new UnknownHostException("no " + network + " address for host '" + host + "'");
        }
        return new InetSocketAddress(chosen, port);
    }

    /** The family to open a channel with for {@code address}: follows the address when {@code network} is dual-stack. */
    public static ProtocolFamily familyFor(String network, SocketAddress address) {
        ProtocolFamily f = family(network);
        if (f != null) {
            return f;
        }
        if (address instanceof InetSocketAddress isa && isa.getAddress() instanceof Inet4Address) {
            return StandardProtocolFamily.INET;
        }
        return StandardProtocolFamily.INET6;
    }
}
