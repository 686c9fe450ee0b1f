package io.netpoll.sample.it;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Jedis clients for the sample's {@code kv-tls} server, with the sample's development-only TLS
 * material (src/main/resources/dev-tls, src/test/resources/dev-tls): they trust the development
 * CA and check that the server's certificate names 127.0.0.1.
 */
final class DevTls {

    private DevTls() {}

    /** Trusts the development CA; presents no certificate. */
    static SSLContext anonymous() {
        return context(null);
    }

    /** Trusts the development CA; presents the client certificate that CA signed. */
    static SSLContext trustedClient() {
        return context("client");
    }

    /** Trusts the development CA; presents a self-signed certificate nobody trusts. */
    static SSLContext stranger() {
        return context("stranger");
    }

    private static SSLContext context(String clientName) {
        PemSslStoreDetails key = (clientName != null)
                ? PemSslStoreDetails.forCertificate("classpath:dev-tls/" + clientName + ".crt")
                        .withPrivateKey("classpath:dev-tls/" + clientName + ".key")
                : null;
        PemSslStoreDetails trust = PemSslStoreDetails.forCertificate("classpath:dev-tls/ca.crt");
        return SslBundle.of(new PemSslStoreBundle(key, trust)).createSslContext();
    }

    /** A Jedis client over TLS with host name verification (the certificate names 127.0.0.1). */
    static Jedis jedis(int port, SSLContext context) {
        return jedis(port, context, null);
    }

    /** As {@link #jedis(int, SSLContext)}, limited to one protocol ({@code TLSv1.2}) if not null. */
    static Jedis jedis(int port, SSLContext context, String protocol) {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (protocol != null) {
            parameters.setProtocols(new String[] {protocol});
        }
        return new Jedis(
                new HostAndPort("127.0.0.1", port),
                DefaultJedisClientConfig.builder()
                        .ssl(true)
                        .sslSocketFactory(context.getSocketFactory())
                        .sslParameters(parameters)
                        .timeoutMillis(10_000)
                        .build());
    }
}
