package io.netpoll.spring.autoconfigure;

import io.netpoll.EventLoop;
import io.netpoll.spring.server.NetpollDialerCustomizer;
import io.netpoll.spring.server.NetpollServerCustomizer;
import io.netpoll.spring.server.NetpollStartupException;
import io.netpoll.tls.TlsConfig;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
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

import javax.net.ssl.SSLContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * @author netpoll-java
 * @since 0.1.0
 */
@AutoConfiguration(
        after = NetpollAutoConfiguration.class,
        afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnClass({EventLoop.class, SslBundles.class})
public final class NetpollSslAutoConfiguration {

    private static final Log logger = LogFactory.getLog(NetpollSslAutoConfiguration.class);

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    NetpollServerCustomizer netpollSslServerCustomizer(
            NetpollProperties properties, ObjectProvider<SslBundles> sslBundles) {
        Contexts contexts = new Contexts(sslBundles);
        return (name, config) -> {
            NetpollProperties.Server server = properties.serversByName().get(name);
            if (server == null || server.getSsl().getBundle() == null) {
                return;
            }
            NetpollSslProperties.Server ssl = server.getSsl();
            String property = ("default".equals(name) ? "netpoll.server" : "netpoll.servers." + name) + ".ssl.bundle";
            String bundleName = ssl.getBundle();
            SslBundle bundle = contexts.bundle(bundleName, property);
            TlsConfig.ServerBuilder tls = TlsConfig.server(contexts.supplier(bundleName, bundle))
                    .clientAuth(ssl.getClientAuth())
                    .handshakeTimeout(ssl.getHandshakeTimeout());
            applyOptions(tls, bundle.getOptions());
            config.tls(tls.build());
        };
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    NetpollDialerCustomizer netpollSslDialerCustomizer(
            NetpollProperties properties, ObjectProvider<SslBundles> sslBundles) {
        Contexts contexts = new Contexts(sslBundles);
        return (config) -> {
            NetpollSslProperties.Dialer ssl = properties.getDialer().getSsl();
            String bundleName = ssl.getBundle();
            if (bundleName == null) {
                return;
            }
            SslBundle bundle = contexts.bundle(bundleName, "netpoll.dialer.ssl.bundle");
            TlsConfig.ClientBuilder tls =
                    TlsConfig.client(contexts.supplier(bundleName, bundle)).handshakeTimeout(ssl.getHandshakeTimeout());
            if (ssl.getServerName() != null) {
                tls.serverName(ssl.getServerName());
            }
            applyOptions(tls, bundle.getOptions());
            config.tls(tls.build());
        };
    }

    private static void applyOptions(TlsConfig.Builder<?> tls, SslOptions options) {
        if (options.getEnabledProtocols() != null) {
            tls.protocols(options.getEnabledProtocols());
        }
        if (options.getCiphers() != null) {
            tls.cipherSuites(options.getCiphers());
        }
    }

    /**
     * One {@code SSLContext} per bundle name, made once and remade when the bundle reloads
     * ({@link SslBundle#createSslContext()} is expensive: never per connection).
     */
    private static final class Contexts {

        private final ObjectProvider<SslBundles> sslBundles;

        private final Map<String, Supplier<SSLContext>> suppliers = new ConcurrentHashMap<>();

        Contexts(ObjectProvider<SslBundles> sslBundles) {
            this.sslBundles = sslBundles;
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
