package io.netpoll.tls;

import org.jspecify.annotations.Nullable;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * TLS settings for one side of connections: a server ({@link #server}) or a client
 * ({@link #client}). Immutable and thread-safe; build it once and share it.
 *
 * <h2>Key material and reloading</h2>
 * The {@link SSLContext} comes from a {@link Supplier} that is read once per new connection
 * ({@link #newEngine}): a supplier that returns a new context after a certificate rotation (a
 * Spring Boot SSL bundle reload, for instance) makes new connections use the new material while
 * open connections keep the engine, and so the material, they started with. A fixed context is
 * {@code () -> context}. The supplier must be cheap (called on the thread that accepts or dials),
 * thread-safe and must not return null.
 *
 * <h2>Defaults</h2>
 * Protocols TLSv1.3 and TLSv1.2; the JDK's default cipher suites; no ALPN; handshake timeout
 * 10 seconds. Servers: no client authentication. Clients: host name verification on (the
 * endpoint identification algorithm {@code HTTPS}: the server's certificate must name the host
 * that was dialed, or {@link ClientBuilder#serverName the server name} when one is set).
 *
 * <h2>Errors</h2>
 * Builders reject nulls, empty protocol lists and non-positive timeouts with
 * {@link NullPointerException} / {@link IllegalArgumentException} at once. Protocol and cipher
 * suite names are checked against the provider when an engine is made: {@link #newEngine} throws
 * {@link IllegalArgumentException} for a name the context does not support (callers that want to
 * fail at startup call it once).
 */
public final class TlsConfig {

    /** Which side of the handshake a configuration is for. */
    public enum Mode {
        SERVER,
        CLIENT
    }

    /** The default protocols, in preference order. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** The default handshake timeout. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final Mode mode;
    private final Supplier<SSLContext> contexts;
    private final List<String> protocols;
    private final List<String> cipherSuites;
    private final List<String> applicationProtocols;
    private final Duration handshakeTimeout;
    private final ClientAuth clientAuth;
    private final @Nullable String serverName;
    private final boolean hostnameVerification;

    private TlsConfig(
            Builder<?> b, Mode mode, ClientAuth clientAuth, @Nullable String serverName, boolean hostnameVerification) {
        this.mode = mode;
        this.contexts = b.contexts;
        this.protocols = b.protocols;
        this.cipherSuites = b.cipherSuites;
        this.applicationProtocols = b.applicationProtocols;
        this.handshakeTimeout = b.handshakeTimeout;
        this.clientAuth = clientAuth;
        this.serverName = serverName;
        this.hostnameVerification = hostnameVerification;
    }

    /** A server configuration using {@code context} for every connection. */
    public static ServerBuilder server(SSLContext context) {
        Objects.requireNonNull(context, "context");
        return new ServerBuilder(() -> context);
    }

    /**
     * A server configuration that reads {@code contexts} for each new connection (see the class
     * comment on reloading).
     */
    public static ServerBuilder server(Supplier<SSLContext> contexts) {
        return new ServerBuilder(Objects.requireNonNull(contexts, "contexts"));
    }

    /** A client configuration using {@code context} for every connection. */
    public static ClientBuilder client(SSLContext context) {
        Objects.requireNonNull(context, "context");
        return new ClientBuilder(() -> context);
    }

    /** A client configuration that reads {@code contexts} for each new connection. */
    public static ClientBuilder client(Supplier<SSLContext> contexts) {
        return new ClientBuilder(Objects.requireNonNull(contexts, "contexts"));
    }

    public Mode mode() {
        return mode;
    }

    public boolean isServer() {
        return mode == Mode.SERVER;
    }

    /** The source of key material, read once per new connection. */
    public Supplier<SSLContext> contexts() {
        return contexts;
    }

    /** The enabled protocols, in preference order. */
    public List<String> protocols() {
        return protocols;
    }

    /** The enabled cipher suites; empty means the provider's defaults. */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /** The ALPN protocols, in preference order (a server picks the first its client offers); empty: no ALPN. */
    public List<String> applicationProtocols() {
        return applicationProtocols;
    }

    /** How long a handshake may take before the connection is closed. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** Servers: whether clients must present a certificate. {@link ClientAuth#NONE} for clients. */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** Clients: the SNI name sent and verified instead of the dialed host, or null. Null for servers. */
    public @Nullable String serverName() {
        return serverName;
    }

    /** Clients: whether the server's certificate must match the host name. False for servers. */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /**
     * A new engine for one connection, configured by this object, from a fresh read of the
     * context supplier. {@code peerHost}/{@code peerPort} name the peer (a client sends SNI for
     * and verifies {@code peerHost} unless a {@link ClientBuilder#serverName server name} is set;
     * a server only uses them as a session cache hint); {@code peerHost} may be null (a client
     * that verifies host names and has neither a peer host nor a server name then fails its
     * handshake: there is nothing to verify against).
     *
     * @throws IllegalArgumentException when the context does not support a configured protocol
     *                                  or cipher suite
     * @throws IllegalStateException    when the supplier returns null or fails
     */
    public SSLEngine newEngine(@Nullable String peerHost, int peerPort) {
        SSLContext context;
        try {
            context = contexts.get();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the SSLContext supplier failed: " + e.getMessage(), e);
        }
        if (context == null) {
            throw new IllegalStateException("the SSLContext supplier returned null");
        }
        String host = mode == Mode.CLIENT && serverName != null ? serverName : peerHost;
        SSLEngine engine = host == null ? context.createSSLEngine() : context.createSSLEngine(host, peerPort);
        engine.setUseClientMode(mode == Mode.CLIENT);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(protocols.toArray(String[]::new));
        if (!cipherSuites.isEmpty()) {
            p.setCipherSuites(cipherSuites.toArray(String[]::new));
        }
        if (!applicationProtocols.isEmpty()) {
            p.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        }
        if (mode == Mode.SERVER) {
            // setNeedClientAuth(false) also clears "want", so set the stronger one last.
            p.setNeedClientAuth(false);
            if (clientAuth == ClientAuth.WANT) {
                p.setWantClientAuth(true);
            } else if (clientAuth == ClientAuth.NEED) {
                p.setNeedClientAuth(true);
            }
        } else {
            if (hostnameVerification) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (serverName != null) {
                p.setServerNames(List.of(new SNIHostName(serverName)));
            }
        }
        engine.setSSLParameters(p);
        checkSupported("protocol", protocols, engine.getEnabledProtocols());
        if (!cipherSuites.isEmpty()) {
            checkSupported("cipher suite", cipherSuites, engine.getEnabledCipherSuites());
        }
        return engine;
    }

    /** SSLParameters silently drops names the provider does not know: say so instead. */
    private static void checkSupported(String what, List<String> wanted, String[] enabled) {
        List<String> have = Arrays.asList(enabled);
        for (String w : wanted) {
            if (!have.contains(w)) {
                throw new IllegalArgumentException(
                        "TLS " + what + " '" + w + "' is not supported by the SSLContext" + " (enabled: " + have + ")");
            }
        }
    }

    @Override
    public String toString() {
        return "TlsConfig[" + mode + ", protocols=" + protocols
                + (cipherSuites.isEmpty() ? "" : ", cipherSuites=" + cipherSuites)
                + (applicationProtocols.isEmpty() ? "" : ", alpn=" + applicationProtocols)
                + (mode == Mode.SERVER
                        ? ", clientAuth=" + clientAuth
                        : ", serverName=" + serverName + ", hostnameVerification=" + hostnameVerification)
                + ", handshakeTimeout=" + handshakeTimeout + "]";
    }

    /** Settings shared by both sides. Not thread-safe; {@code build()} makes the immutable config. */
    public abstract static class Builder<B extends Builder<B>> {
        final Supplier<SSLContext> contexts;
        List<String> protocols = DEFAULT_PROTOCOLS;
        List<String> cipherSuites = List.of();
        List<String> applicationProtocols = List.of();
        Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;

        Builder(Supplier<SSLContext> contexts) {
            this.contexts = contexts;
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** The protocols to enable, e.g. {@code "TLSv1.3"}; at least one. */
        public B protocols(String... protocols) {
            List<String> p = List.of(protocols);
            if (p.isEmpty()) {
                throw new IllegalArgumentException("at least one TLS protocol is needed");
            }
            this.protocols = p;
            return self();
        }

        /** The cipher suites to enable; none given means the provider's defaults. */
        public B cipherSuites(String... cipherSuites) {
            this.cipherSuites = List.of(cipherSuites);
            return self();
        }

        /** The ALPN protocols in preference order, e.g. {@code "h2", "http/1.1"}; none: no ALPN. */
        public B applicationProtocols(String... protocols) {
            this.applicationProtocols = List.of(protocols);
            return self();
        }

        /** How long a handshake may take (positive); default 10 seconds. */
        public B handshakeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive: " + timeout);
            }
            this.handshakeTimeout = timeout;
            return self();
        }

        public abstract TlsConfig build();
    }

    /** Builds a server configuration. */
    public static final class ServerBuilder extends Builder<ServerBuilder> {
        private ClientAuth clientAuth = ClientAuth.NONE;

        ServerBuilder(Supplier<SSLContext> contexts) {
            super(contexts);
        }

        /** Whether clients must present a certificate; default {@link ClientAuth#NONE}. */
        public ServerBuilder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
            return this;
        }

        @Override
        public TlsConfig build() {
            return new TlsConfig(this, Mode.SERVER, clientAuth, null, false);
        }
    }

    /** Builds a client configuration. */
    public static final class ClientBuilder extends Builder<ClientBuilder> {
        private @Nullable String serverName;
        private boolean hostnameVerification = true;

        ClientBuilder(Supplier<SSLContext> contexts) {
            super(contexts);
        }

        /**
         * The host name to send as SNI and to verify the server's certificate against, instead
         * of the dialed host (dialing an IP address or a load balancer, for instance).
         */
        public ClientBuilder serverName(String serverName) {
            Objects.requireNonNull(serverName, "serverName");
            new SNIHostName(serverName); // rejects what SNI cannot carry, now rather than per connection
            this.serverName = serverName;
            return this;
        }

        /**
         * Whether the server's certificate must match the host name (default true). Turning it
         * off accepts any certificate the trust manager trusts, for any name: for tests only.
         */
        public ClientBuilder hostnameVerification(boolean on) {
            this.hostnameVerification = on;
            return this;
        }

        @Override
        public TlsConfig build() {
            return new TlsConfig(this, Mode.CLIENT, ClientAuth.NONE, serverName, hostnameVerification);
        }
    }
}
