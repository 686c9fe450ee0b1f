package io.netpoll.tls;

import org.jspecify.annotations.Nullable;

import javax.net.ssl.SSLEngine;

/**
 * Makes the {@link SSLEngine} of each new TLS connection: the seam for engines other than the
 * JDK's own (an OpenSSL / BoringSSL engine such as Netty's {@code netty-tcnative}, whose per
 * record cost is far below the JDK engine's). {@link TlsConfig#server(TlsEngineFactory)} and
 * {@link TlsConfig#client(TlsEngineFactory)} take one; the {@code SSLContext} overloads wrap
 * the context in one.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #newEngine} is called once per connection, on the thread that accepts or dials
 *       (a poller or the dialing thread): it must be cheap, thread-safe, never return null and
 *       never block. It returns a fresh engine in the mode of the configuration it serves
 *       (client mode for {@link TlsConfig#client}, server mode for {@link TlsConfig#server}).
 *       {@link TlsConfig#newEngine} then applies the configuration's protocols, cipher suites,
 *       ALPN protocols, client authentication, SNI server name and host name verification
 *       through {@link SSLEngine#setSSLParameters}: an engine that ignores some of them there
 *       (Netty's OpenSSL engine ignores ALPN, which it takes from its {@code SslContext}) must
 *       be made with them by the factory.</li>
 *   <li>Ownership: the connection owns the engine until it is done with it, then calls
 *       {@link #release} exactly once, after {@link SSLEngine#closeOutbound()}, on whichever
 *       thread finishes the connection (not necessarily the one that made it). An engine whose
 *       configuration failed in {@link TlsConfig#newEngine} is released there. No engine method
 *       is called after {@code release}.</li>
 *   <li>Errors: an exception from {@code newEngine} fails that one connection (an accepted one is
 *       closed, a dial throws); {@code release} must not throw (what it throws is ignored).</li>
 * </ul>
 */
public interface TlsEngineFactory {
    /** A new engine for one connection (client mode for a client config, server mode for a server one). */
    SSLEngine newEngine(@Nullable String peerHost, int peerPort);

    /** Called once when the connection that used {@code engine} is done with it (free native memory here). Default: nothing. */
    default void release(SSLEngine engine) {}

    /** True when the engine works best on direct ByteBuffers (native engines): the session then stages ciphertext in direct memory. Default false. */
    default boolean prefersDirectBuffers() {
        return false;
    }
}
