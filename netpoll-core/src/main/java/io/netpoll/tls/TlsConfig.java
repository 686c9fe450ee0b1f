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
 * <h2>Other engines</h2>
 * {@link #server(TlsEngineFactory)} / {@link #client(TlsEngineFactory)} take a
 * {@link TlsEngineFactory} instead: each connection's engine comes from it (an OpenSSL /
 * BoringSSL engine such as Netty's, for instance), this configuration is applied to it, and the
 * connection gives it back with {@link #releaseEngine} when it is done. The SSLContext overloads
 * are such a factory over {@link SSLContext#createSSLEngine}. Netty's OpenSSL engine honours the
 * protocols, cipher suites (except that BoringSSL always enables its TLS 1.3 suites), client
 * authentication, SNI and host name verification set here, but not ALPN: its factory must make
 * its {@code SslContext} with the ALPN protocols (the Spring Boot starter does).
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
    private final @Nullable Supplier<SSLContext> contexts;
    private final TlsEngineFactory engines;
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
        this.engines = b.engines;
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

    /**
     * A server configuration whose engines come from {@code engines} (server-mode engines; see
     * {@link TlsEngineFactory} for the contract).
     */
    public static ServerBuilder server(TlsEngineFactory engines) {
        return new ServerBuilder(Objects.requireNonNull(engines, "engines"));
    }

    /**
     * A client configuration whose engines come from {@code engines} (client-mode engines; see
     * {@link TlsEngineFactory} for the contract).
     */
    public static ClientBuilder client(TlsEngineFactory engines) {
        return new ClientBuilder(Objects.requireNonNull(engines, "engines"));
    }

    public Mode mode() {
        return mode;
    }

    public boolean isServer() {
        return mode == Mode.SERVER;
    }

    /**
     * The source of key material, read once per new connection; null when this configuration
     * was made from a {@link TlsEngineFactory}.
     */
    public @Nullable Supplier<SSLContext> contexts() {
        return contexts;
    }

    /** Where engines come from (for an SSLContext configuration: a factory over its supplier). */
    public TlsEngineFactory engineFactory() {
        return engines;
    }

    /**
     * Gives back an engine made by {@link #newEngine}: the factory's {@link TlsEngineFactory#release}.
     * Call once per engine, after its {@code closeOutbound()}, when nothing uses it any more.
     * Never throws.
     */
    public void releaseEngine(SSLEngine engine) {
        try {
            engines.release(engine);
        } catch (RuntimeException e) {
            System.getLogger(TlsConfig.class.getName())
                    .log(System.Logger.Level.WARNING, "the TLS engine factory failed to release an engine", e);
        }
    }

    /**
     * True when the engines work best on direct buffers (native engines): the factory's
     * {@link TlsEngineFactory#prefersDirectBuffers}.
     */
    public boolean prefersDirectBuffers() {
        return engines.prefersDirectBuffers();
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
     * A new engine for one connection, configured by this object, from the
     * {@link #engineFactory() factory} (for an SSLContext configuration: a fresh read of the
     * context supplier). {@code peerHost}/{@code peerPort} name the peer (a client sends SNI for
     * and verifies {@code peerHost} unless a {@link ClientBuilder#serverName server name} is set;
     * a server only uses them as a session cache hint); {@code peerHost} may be null (a client
     * that verifies host names and has neither a peer host nor a server name then fails its
     * handshake: there is nothing to verify against). The caller owns the engine and gives it
     * back with {@link #releaseEngine}; when this method throws, there is nothing to give back.
     *
     * @throws IllegalArgumentException when the engine does not support a configured protocol
     *                                  or cipher suite
     * @throws IllegalStateException    when the supplier or factory returns null or fails, or the
     *                                  factory's engine is in the wrong mode
     */
    public SSLEngine newEngine(@Nullable String peerHost, int peerPort) {
        String host = mode == Mode.CLIENT && serverName != null ? serverName : peerHost;
        SSLEngine engine;
        try {
            engine = engines.newEngine(host, peerPort);
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException("the TLS engine factory failed: " + e.getMessage(), e);
        }
        if (engine == null) {
            throw new IllegalStateException("the TLS engine factory returned null");
        }
        try {
            configure(engine);
        } catch (RuntimeException e) {
            try {
                engine.closeOutbound();
            } catch (RuntimeException ignored) {
                // released anyway
            }
            releaseEngine(engine); // a native engine holds memory until released
            throw e;
        }
        return engine;
    }

    private void configure(SSLEngine engine) {
        boolean client = mode == Mode.CLIENT;
        try {
            // Always: the JDK's engines refuse to handshake until the mode was set.
            engine.setUseClientMode(client);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // Native engines are made in one mode and refuse to change it.
            if (engine.getUseClientMode() != client) {
                throw new IllegalStateException(
                        "the TLS engine factory made a " + (client ? "server" : "client") + "-mode engine for a "
                                + mode.name().toLowerCase(java.util.Locale.ROOT) + " configuration",
                        e);
            }
        }
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
            // Explicit both ways: some engines (Netty 4.2's) verify host names by default.
            p.setEndpointIdentificationAlgorithm(hostnameVerification ? "HTTPS" : null);
            if (serverName != null) {
                p.setServerNames(List.of(new SNIHostName(serverName)));
            }
        }
        engine.setSSLParameters(p);
        checkSupported("protocol", protocols, engine.getEnabledProtocols());
        if (!cipherSuites.isEmpty()) {
            checkSupported("cipher suite", cipherSuites, engine.getEnabledCipherSuites());
        }
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
        final @Nullable Supplier<SSLContext> contexts;
        final TlsEngineFactory engines;
        List<String> protocols = DEFAULT_PROTOCOLS;
        List<String> cipherSuites = List.of();
        List<String> applicationProtocols = List.of();
        Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;

        Builder(Supplier<SSLContext> contexts) {
            this.contexts = contexts;
            this.engines = new ContextEngines(contexts);
        }

        Builder(TlsEngineFactory engines) {
            this.contexts = null;
            this.engines = engines;
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

        ServerBuilder(TlsEngineFactory engines) {
            super(engines);
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

        ClientBuilder(TlsEngineFactory engines) {
            super(engines);
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

    /** The JDK's engines from a fresh read of an SSLContext supplier; nothing to release. */
    private static final class ContextEngines implements TlsEngineFactory {
        private final Supplier<SSLContext> contexts;

        ContextEngines(Supplier<SSLContext> contexts) {
            this.contexts = contexts;
        }

        @Override
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
            return peerHost == null ? context.createSSLEngine() : context.createSSLEngine(peerHost, peerPort);
        }

        @Override
        public String toString() {
            return "SSLContext engines";
        }
    }
}
