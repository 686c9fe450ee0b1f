package io.netpoll.spring.autoconfigure;

import io.netpoll.tls.ClientAuth;
import io.netpoll.tls.TlsEngineFactory;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OpenSSL (BoringSSL) engines through Netty's {@code netty-tcnative}, made from an SSL bundle:
 * the {@link TlsEngineFactory} of {@code netpoll.*.ssl.provider=openssl}. The only class of the
 * starter that touches Netty: {@link NetpollSslAutoConfiguration} loads it only after finding
 * {@code io.netty.handler.ssl.OpenSsl} on the application's class loader.
 *
 * <p>One reference-counted Netty {@code SslContext} per bundle and side; every engine retains it
 * until released, so a bundle reload ({@link #update}) swaps in a new context for new
 * connections, and the old one is freed when the last connection that used it ends. Engines are
 * reference counted too: {@link #release} (netpoll calls it once per connection, when the
 * connection is done) frees the engine's native memory (some tens of KiB per connection while
 * it lives). Thread-safe.
 *
 * <p>ALPN protocols are set on the {@code SslContext} (the engine ignores them in
 * {@code SSLParameters}): a server that shares none with the client goes on without one
 * (OpenSSL's server supports no refusal), a client accepts the server's choice.
 *
 * @author netpoll-java
 */
final class OpenSslEngines implements TlsEngineFactory {

    private final boolean server;

    private final ClientAuth clientAuth;

    private final AtomicLong outstanding = new AtomicLong();

    private volatile SslContext context;

    private final List<String> applicationProtocols;

    private OpenSslEngines(boolean server, ClientAuth clientAuth, List<String> applicationProtocols, SslBundle bundle) {
        this.server = server;
        this.clientAuth = clientAuth;
        this.applicationProtocols = List.copyOf(applicationProtocols);
        this.context = build(bundle);
    }

    /** Whether Netty's OpenSSL support loaded (its native library included). */
    static boolean isAvailable() {
        return OpenSsl.isAvailable();
    }

    /** Why OpenSSL did not load, or null when it did. */
    static @Nullable Throwable unavailabilityCause() {
        return OpenSsl.unavailabilityCause();
    }

    /** The native library's version, e.g. "BoringSSL". */
    static String version() {
        return OpenSsl.versionString();
    }

    /**
     * Server engines presenting the bundle's key, checking client certificates per
     * {@code clientAuth}, choosing among {@code applicationProtocols} by ALPN (none: no ALPN).
     */
    static OpenSslEngines forServer(SslBundle bundle, ClientAuth clientAuth, List<String> applicationProtocols) {
        return new OpenSslEngines(true, clientAuth, applicationProtocols, bundle);
    }

    /**
     * Client engines trusting the bundle's trust material (its key, if any, is the client
     * certificate), offering {@code applicationProtocols} by ALPN (none: no ALPN).
     */
    static OpenSslEngines forClient(SslBundle bundle, List<String> applicationProtocols) {
        return new OpenSslEngines(false, ClientAuth.NONE, applicationProtocols, bundle);
    }

    /** New connections use {@code bundle} from now on; the previous context goes when its last engine does. */
    void update(SslBundle bundle) {
        SslContext next = build(bundle);
        SslContext previous = this.context;
        this.context = next;
        ReferenceCountUtil.release(previous);
    }

    /** Frees the current context (its engines keep it alive until they are released). */
    void close() {
        ReferenceCountUtil.release(this.context);
    }

    /** Engines made and not released yet. */
    long outstanding() {
        return this.outstanding.get();
    }

    @Override
    public SSLEngine newEngine(@Nullable String peerHost, int peerPort) {
        for (; ; ) {
            SslContext current = this.context;
            // A reload may release this context between the read and newEngine: hold it meanwhile.
            try {
                ((ReferenceCounted) current).retain();
            } catch (IllegalReferenceCountException ex) {
                if (this.context == current) {
                    throw new IllegalStateException("the OpenSSL context is closed", ex);
                }
                continue;
            }
            try {
                SSLEngine engine = (peerHost != null)
                        ? current.newEngine(ByteBufAllocator.DEFAULT, peerHost, peerPort)
                        : current.newEngine(ByteBufAllocator.DEFAULT);
                this.outstanding.incrementAndGet();
                return engine;
            } finally {
                ReferenceCountUtil.release(current);
            }
        }
    }

    @Override
    public void release(SSLEngine engine) {
        if (ReferenceCountUtil.release(engine)) {
            this.outstanding.decrementAndGet();
        }
    }

    @Override
    public boolean prefersDirectBuffers() {
        return true;
    }

    @Override
    public String toString() {
        return "OpenSSL engines (" + version() + ", " + (this.server ? "server" : "client")
                + (this.applicationProtocols.isEmpty() ? "" : ", alpn=" + this.applicationProtocols) + ")";
    }

    private SslContext build(SslBundle bundle) {
        SslManagerBundle managers = bundle.getManagers();
        KeyManagerFactory keys = managers.getKeyManagerFactory();
        SslContextBuilder builder;
        if (this.server) {
            // The caching factory converts the key to OpenSSL's form once, not at every handshake.
            builder = SslContextBuilder.forServer(new OpenSslCachingX509KeyManagerFactory(keys))
                    .clientAuth(nettyClientAuth(this.clientAuth));
        } else {
            builder = SslContextBuilder.forClient();
            if (bundle.getStores().getKeyStore() != null) {
                builder.keyManager(new OpenSslCachingX509KeyManagerFactory(keys));
            }
        }
        builder.sslProvider(SslProvider.OPENSSL_REFCNT).trustManager(managers.getTrustManagerFactory());
        SslOptions options = bundle.getOptions();
        if (options.getEnabledProtocols() != null) {
            builder.protocols(options.getEnabledProtocols());
        }
        if (options.getCiphers() != null) {
            builder.ciphers(List.of(options.getCiphers()));
        }
        if (!this.applicationProtocols.isEmpty()) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    this.applicationProtocols));
        }
        try {
            return builder.build();
        } catch (SSLException ex) {
            throw new IllegalStateException("OpenSSL refused the bundle's material: " + ex.getMessage(), ex);
        }
    }

    private static io.netty.handler.ssl.ClientAuth nettyClientAuth(ClientAuth clientAuth) {
        return switch (clientAuth) {
            case NONE -> io.netty.handler.ssl.ClientAuth.NONE;
            case WANT -> io.netty.handler.ssl.ClientAuth.OPTIONAL;
            case NEED -> io.netty.handler.ssl.ClientAuth.REQUIRE;
        };
    }
}
