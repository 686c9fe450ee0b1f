package io.netpoll.spring.autoconfigure;

import io.netpoll.DialerConfig;
import io.netpoll.EventLoop;
import io.netpoll.ServerConfig;
import io.netpoll.spring.server.NetpollDialerCustomizer;
import io.netpoll.spring.server.NetpollServerCustomizer;
import io.netpoll.spring.server.NetpollStartupException;
import io.netpoll.tls.ClientAuth;
import io.netpoll.tls.TlsConfig;
import io.netpoll.tls.TlsEngineFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

import javax.net.ssl.SSLContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of TLS from Spring Boot SSL bundles:
 * {@code netpoll.server.ssl.bundle} / {@code netpoll.servers.<name>.ssl.bundle} make a server
 * speak TLS, {@code netpoll.dialer.ssl.bundle} the dialer. Applied as the first
 * {@link NetpollServerCustomizer} / {@link NetpollDialerCustomizer} (they are properties; the
 * application's customizers come after and may override them).
 *
 * <p>The bundle's {@code SSLContext} is made once per bundle (and again when the bundle is
 * reloaded, {@code reload-on-update}); every new connection reads the current one, so a reload
 * reaches new connections while open ones keep their material. A bundle that does not exist
 * fails startup with a failure analysis naming the property.
 *
 * <p>{@code ...ssl.provider} picks the engine: {@code jdk}, {@code openssl} (Netty's
 * BoringSSL engine: {@code io.netty:netty-tcnative-boringssl-static} on the classpath, else
 * startup fails saying so) or {@code auto} (the default: OpenSSL when it is on the classpath
 * and loads, the JDK's engine otherwise). Netty is touched only through
 * {@link OpenSslEngines}, loaded only when {@code io.netty.handler.ssl.OpenSsl} is present, so
 * the starter works without Netty.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@AutoConfiguration(
        after = NetpollAutoConfiguration.class,
        afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnClass({EventLoop.class, SslBundles.class})
public final class NetpollSslAutoConfiguration {

    private static final Log logger = LogFactory.getLog(NetpollSslAutoConfiguration.class);

    private static final String OPENSSL_CLASS = "io.netty.handler.ssl.OpenSsl";

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    NetpollServerCustomizer netpollSslServerCustomizer(
            NetpollProperties properties, ObjectProvider<SslBundles> sslBundles, ResourceLoader resourceLoader) {
        return new ServerSsl(properties, new Contexts(sslBundles, resourceLoader.getClassLoader()));
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    NetpollDialerCustomizer netpollSslDialerCustomizer(
            NetpollProperties properties, ObjectProvider<SslBundles> sslBundles, ResourceLoader resourceLoader) {
        return new DialerSsl(properties, new Contexts(sslBundles, resourceLoader.getClassLoader()));
    }

    /** The servers' TLS from their properties; frees the OpenSSL contexts when the application stops. */
    private static final class ServerSsl implements NetpollServerCustomizer, DisposableBean {

        private final NetpollProperties properties;

        private final Contexts contexts;

        ServerSsl(NetpollProperties properties, Contexts contexts) {
            this.properties = properties;
            this.contexts = contexts;
        }

        @Override
        public void customize(String name, ServerConfig.Builder config) {
            NetpollProperties.Server server = this.properties.serversByName().get(name);
            if (server == null || server.getSsl().getBundle() == null) {
                return;
            }
            NetpollSslProperties.Server ssl = server.getSsl();
            String prefix = ("default".equals(name) ? "netpoll.server" : "netpoll.servers." + name) + ".ssl.";
            String bundleName = ssl.getBundle();
            SslBundle bundle = this.contexts.bundle(bundleName, prefix + "bundle");
            TlsConfig.ServerBuilder tls = this.contexts.openSsl(ssl.getProvider(), prefix + "provider")
                    ? TlsConfig.server(this.contexts.openSslServer(
                            bundleName, bundle, ssl.getClientAuth(), ssl.getApplicationProtocols()))
                    : TlsConfig.server(this.contexts.supplier(bundleName, bundle));
            tls.clientAuth(ssl.getClientAuth()).handshakeTimeout(ssl.getHandshakeTimeout());
            applyOptions(tls, bundle.getOptions(), ssl.getApplicationProtocols());
            config.tls(tls.build());
        }

        @Override
        public void destroy() {
            this.contexts.close();
        }
    }

    /** The dialer's TLS from its properties; frees the OpenSSL contexts when the application stops. */
    private static final class DialerSsl implements NetpollDialerCustomizer, DisposableBean {

        private final NetpollProperties properties;

        private final Contexts contexts;

        DialerSsl(NetpollProperties properties, Contexts contexts) {
            this.properties = properties;
            this.contexts = contexts;
        }

        @Override
        public void customize(DialerConfig.Builder config) {
            NetpollSslProperties.Dialer ssl = this.properties.getDialer().getSsl();
            String bundleName = ssl.getBundle();
            if (bundleName == null) {
                return;
            }
            SslBundle bundle = this.contexts.bundle(bundleName, "netpoll.dialer.ssl.bundle");
            TlsConfig.ClientBuilder tls = this.contexts.openSsl(ssl.getProvider(), "netpoll.dialer.ssl.provider")
                    ? TlsConfig.client(this.contexts.openSslClient(bundleName, bundle, ssl.getApplicationProtocols()))
                    : TlsConfig.client(this.contexts.supplier(bundleName, bundle));
            tls.handshakeTimeout(ssl.getHandshakeTimeout());
            if (ssl.getServerName() != null) {
                tls.serverName(ssl.getServerName());
            }
            applyOptions(tls, bundle.getOptions(), ssl.getApplicationProtocols());
            config.tls(tls.build());
        }

        @Override
        public void destroy() {
            this.contexts.close();
        }
    }

    private static void applyOptions(TlsConfig.Builder<?> tls, SslOptions options, List<String> applicationProtocols) {
        if (options.getEnabledProtocols() != null) {
            tls.protocols(options.getEnabledProtocols());
        }
        if (options.getCiphers() != null) {
            tls.cipherSuites(options.getCiphers());
        }
        if (!applicationProtocols.isEmpty()) {
            // The JDK's engine takes them per engine; OpenSSL's from its context (OpenSslEngines).
            tls.applicationProtocols(applicationProtocols.toArray(String[]::new));
        }
    }

    /**
     * One {@code SSLContext} per bundle name, made once and remade when the bundle reloads
     * ({@link SslBundle#createSslContext()} is expensive: never per connection); for OpenSSL, one
     * {@link OpenSslEngines} per bundle and settings, rebuilt the same way.
     */
    private static final class Contexts {

        private final ObjectProvider<SslBundles> sslBundles;

        private final @Nullable ClassLoader classLoader;

        private final Map<String, Supplier<SSLContext>> suppliers = new ConcurrentHashMap<>();

        /** OpenSslEngines by bundle, side and settings (OpenSslEngines is loaded only when OpenSSL is chosen). */
        private final Map<String, TlsEngineFactory> openSsl = new ConcurrentHashMap<>();

        Contexts(ObjectProvider<SslBundles> sslBundles, @Nullable ClassLoader classLoader) {
            this.sslBundles = sslBundles;
            this.classLoader = classLoader;
        }

        /** Whether {@code provider} means OpenSSL here; fails startup when it must and cannot. */
        boolean openSsl(NetpollSslProperties.Provider provider, String property) {
            if (provider == NetpollSslProperties.Provider.JDK) {
                return false;
            }
            boolean present = ClassUtils.isPresent(OPENSSL_CLASS, this.classLoader);
            if (provider == NetpollSslProperties.Provider.AUTO) {
                return present && OpenSslEngines.isAvailable();
            }
            if (!present) {
                throw new NetpollStartupException(
                        "'" + property + "' is 'openssl', but Netty's OpenSSL support (" + OPENSSL_CLASS
                                + ") is not on the classpath.",
                        "Add the dependencies io.netty:netty-handler and io.netty:netty-tcnative-boringssl-static "
                                + "(versions managed by Spring Boot), or set '" + property
                                + "' to 'auto' or 'jdk'.");
            }
            if (!OpenSslEngines.isAvailable()) {
                Throwable cause = OpenSslEngines.unavailabilityCause();
                throw new NetpollStartupException(
                        "'" + property + "' is 'openssl', but OpenSSL is not available: " + cause,
                        "Add the dependency io.netty:netty-tcnative-boringssl-static (version managed by Spring "
                                + "Boot; it bundles BoringSSL for Linux, macOS and Windows on x86-64 and "
                                + "aarch64), or set '" + property + "' to 'auto' or 'jdk'.",
                        cause);
            }
            return true;
        }

        TlsEngineFactory openSslServer(
                String name, SslBundle bundle, ClientAuth clientAuth, List<String> applicationProtocols) {
            return openSsl(
                    name,
                    "server-" + clientAuth + "-" + applicationProtocols,
                    bundle,
                    (b) -> OpenSslEngines.forServer(b, clientAuth, applicationProtocols));
        }

        TlsEngineFactory openSslClient(String name, SslBundle bundle, List<String> applicationProtocols) {
            return openSsl(
                    name,
                    "client-" + applicationProtocols,
                    bundle,
                    (b) -> OpenSslEngines.forClient(b, applicationProtocols));
        }

        private TlsEngineFactory openSsl(
                String name, String side, SslBundle bundle, Function<SslBundle, OpenSslEngines> make) {
            return this.openSsl.computeIfAbsent(name + "/" + side, (k) -> {
                OpenSslEngines engines = create(name, bundle, make);
                this.sslBundles.getObject().addBundleUpdateHandler(name, (updated) -> {
                    try {
                        engines.update(updated);
                        logger.info("SSL bundle '" + name + "' reloaded: new netpoll connections use the new material");
                    } catch (RuntimeException ex) {
                        logger.error(
                                "SSL bundle '" + name + "' reloaded with material that OpenSSL cannot use; "
                                        + "netpoll keeps the previous one",
                                ex);
                    }
                });
                if (logger.isDebugEnabled()) {
                    logger.debug("SSL bundle '" + name + "': netpoll uses " + engines);
                }
                return engines;
            });
        }

        private static OpenSslEngines create(String name, SslBundle bundle, Function<SslBundle, OpenSslEngines> make) {
            try {
                return make.apply(bundle);
            } catch (RuntimeException ex) {
                throw new NetpollStartupException(
                        "The SSL bundle '" + name + "' has key material that OpenSSL cannot use: " + ex.getMessage(),
                        "Check the certificate, the private key (and its password) and the trust "
                                + "material of 'spring.ssl.bundle.*." + name + "', or set the provider to 'jdk'.",
                        ex);
            }
        }

        void close() {
            for (TlsEngineFactory engines : this.openSsl.values()) {
                ((OpenSslEngines) engines).close();
            }
            this.openSsl.clear();
        }

        SslBundle bundle(String name, String property) {
            SslBundles bundles = this.sslBundles.getIfAvailable();
            if (bundles == null) {
                throw new NetpollStartupException(
                        "'" + property + "' names the SSL bundle '" + name
                                + "', but the application has no SSL bundles (no SslBundles bean).",
                        "Define the bundle under 'spring.ssl.bundle.pem." + name + ".*' or 'spring.ssl.bundle.jks."
                                + name + ".*' (Spring Boot's SSL auto-configuration), or remove '" + property + "'.");
            }
            try {
                return bundles.getBundle(name);
            } catch (NoSuchSslBundleException ex) {
                throw new NetpollStartupException(
                        "'" + property + "' names the SSL bundle '" + name + "', which is not defined.",
                        "Define it under 'spring.ssl.bundle.pem." + name
                                + ".*' (PEM certificate and private key) or 'spring.ssl.bundle.jks." + name
                                + ".*' (a key store), or fix the name in '" + property + "'.",
                        ex);
            }
        }

        Supplier<SSLContext> supplier(String name, SslBundle bundle) {
            return this.suppliers.computeIfAbsent(name, (n) -> {
                Current current = new Current(create(n, bundle));
                this.sslBundles.getObject().addBundleUpdateHandler(n, (updated) -> {
                    try {
                        current.context = create(n, updated);
                        logger.info("SSL bundle '" + n + "' reloaded: new netpoll connections use the new material");
                    } catch (RuntimeException ex) {
                        logger.error(
                                "SSL bundle '" + n + "' reloaded with material that cannot be used; "
                                        + "netpoll keeps the previous one",
                                ex);
                    }
                });
                return current;
            });
        }

        private static SSLContext create(String name, SslBundle bundle) {
            try {
                return bundle.createSslContext();
            } catch (RuntimeException ex) {
                throw new NetpollStartupException(
                        "The SSL bundle '" + name + "' has key material that cannot be used: " + ex.getMessage(),
                        "Check the certificate, the private key (and its password) and the trust "
                                + "material of 'spring.ssl.bundle.*." + name + "'.",
                        ex);
            }
        }
    }

    /** The bundle's current context; replaced when the bundle reloads. */
    private static final class Current implements Supplier<SSLContext> {

        volatile SSLContext context;

        Current(SSLContext context) {
            this.context = context;
        }

        @Override
        public SSLContext get() {
            return this.context;
        }
    }
}
