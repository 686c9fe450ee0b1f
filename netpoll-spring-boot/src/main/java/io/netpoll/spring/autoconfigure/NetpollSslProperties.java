package io.netpoll.spring.autoconfigure;

import io.netpoll.tls.ClientAuth;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * TLS settings of a server ({@code netpoll.server.ssl.*}, {@code netpoll.servers.<name>.ssl.*})
 * and of the dialer ({@code netpoll.dialer.ssl.*}), taken from Spring Boot SSL bundles
 * ({@code spring.ssl.bundle.*}). See {@link NetpollSslAutoConfiguration}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public final class NetpollSslProperties {

    private NetpollSslProperties() {}

    /**
     * Which TLS engine a server or the dialer uses.
     */
    public enum Provider {

        /**
         * OpenSSL (BoringSSL) when Netty's OpenSSL support and its native library
         * (netty-tcnative) are on the classpath and load, else the JDK's engine.
         */
        AUTO,

        /**
         * The JDK's SSLEngine.
         */
        JDK,

        /**
         * OpenSSL (BoringSSL) through Netty's engine: io.netty:netty-handler and
         * io.netty:netty-tcnative-boringssl-static must be on the classpath, or startup
         * fails.
         */
        OPENSSL
    }

    /**
     * A server's TLS.
     */
    public static class Server {

        /**
         * Name of the SSL bundle (spring.ssl.bundle.*) whose key material the server presents.
         * Set: the server speaks only TLS. A bundle that reloads (reload-on-update) serves new
         * connections with the new material; open ones keep theirs.
         */
        private @Nullable String bundle;

        /**
         * Client certificate authentication: none, want (asked for, optional) or need
         * (required). The bundle's trust store decides which client certificates are trusted.
         */
        private ClientAuth clientAuth = ClientAuth.NONE;

        /**
         * Longest time a TLS handshake may take; the connection is closed after it.
         */
        private Duration handshakeTimeout = Duration.ofSeconds(10);

        /**
         * TLS engine: auto (OpenSSL when netty-tcnative is on the classpath and loads, else
         * the JDK's), jdk or openssl (startup fails without netty-tcnative). OpenSSL costs
         * far less CPU per record and some native memory per connection.
         */
        private Provider provider = Provider.AUTO;

        /**
         * Application protocols the server accepts through ALPN, in order of preference (for
         * example "redis", "kv/1"): the session's protocol is the first of them that the client
         * also offered. Empty: no ALPN. A client that offers only others is refused on the
         * JDK's engine (no_application_protocol alert) and served with no protocol on OpenSSL.
         */
        private List<String> applicationProtocols = new ArrayList<>();

        public @Nullable String getBundle() {
            return this.bundle;
        }

        public void setBundle(@Nullable String bundle) {
            this.bundle = bundle;
        }

        public ClientAuth getClientAuth() {
            return this.clientAuth;
        }

        public void setClientAuth(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
        }

        public Duration getHandshakeTimeout() {
            return this.handshakeTimeout;
        }

        public void setHandshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
        }

        public Provider getProvider() {
            return this.provider;
        }

        public void setProvider(Provider provider) {
            this.provider = provider;
        }

        public List<String> getApplicationProtocols() {
            return this.applicationProtocols;
        }

        public void setApplicationProtocols(List<String> applicationProtocols) {
            this.applicationProtocols = applicationProtocols;
        }
    }

    /**
     * The dialer's TLS.
     */
    public static class Dialer {

        /**
         * Name of the SSL bundle (spring.ssl.bundle.*) whose trust material verifies servers
         * (and whose key, if any, is the client certificate). Set: every dial speaks TLS.
         */
        private @Nullable String bundle;

        /**
         * SNI server name and the name the server's certificate is verified against. Default:
         * the host as dialed.
         */
        private @Nullable String serverName;

        /**
         * Longest time a TLS handshake may take; the dial fails after it.
         */
        private Duration handshakeTimeout = Duration.ofSeconds(10);

        /**
         * TLS engine: auto (OpenSSL when netty-tcnative is on the classpath and loads, else
         * the JDK's), jdk or openssl (startup fails without netty-tcnative).
         */
        private Provider provider = Provider.AUTO;

        /**
         * Application protocols the dialer offers through ALPN, in order of preference; the
         * connection's TLS session tells which one the server chose (none if it chose none).
         * Empty: no ALPN.
         */
        private List<String> applicationProtocols = new ArrayList<>();

        public @Nullable String getBundle() {
            return this.bundle;
        }

        public void setBundle(@Nullable String bundle) {
            this.bundle = bundle;
        }

        public @Nullable String getServerName() {
            return this.serverName;
        }

        public void setServerName(@Nullable String serverName) {
            this.serverName = serverName;
        }

        public Duration getHandshakeTimeout() {
            return this.handshakeTimeout;
        }

        public void setHandshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
        }

        public Provider getProvider() {
            return this.provider;
        }

        public void setProvider(Provider provider) {
            this.provider = provider;
        }

        public List<String> getApplicationProtocols() {
            return this.applicationProtocols;
        }

        public void setApplicationProtocols(List<String> applicationProtocols) {
            this.applicationProtocols = applicationProtocols;
        }
    }
}
