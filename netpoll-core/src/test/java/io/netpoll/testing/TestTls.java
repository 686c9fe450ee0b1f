package io.netpoll.testing;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;

/**
 * The test-only TLS material of {@code src/test/resources/tls} (see its README: public keys, for
 * tests only) as {@link SSLContext}s and files. Thread-safe; contexts are made fresh per call.
 *
 * <p>Names: {@code localhost} (the normal server certificate), {@code other-name},
 * {@code expired}, {@code untrusted}, {@code client}. Clients trust {@code ca.pem}.
 */
public final class TestTls {

    private static final char[] PASSWORD = "test-only".toCharArray();

    private TestTls() {}

    /** A context that presents {@code name}'s certificate and trusts the test CA (for client certificates). */
    public static SSLContext serverContext(String name) {
        return context(name, true);
    }

    /** A context that trusts the test CA and presents no certificate. */
    public static SSLContext clientContext() {
        return context(null, true);
    }

    /** A context that presents {@code name}'s certificate and trusts the test CA. */
    public static SSLContext clientContext(String name) {
        return context(name, true);
    }

    /** A context that presents {@code name}'s certificate (null: none) and trusts nothing at all. */
    public static SSLContext trustingNothing(String name) {
        return context(name, false);
    }

    /** The resource's bytes, e.g. {@code "localhost.pem"}. */
    public static byte[] resource(String file) {
        try (InputStream in = TestTls.class.getResourceAsStream("/tls/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no test TLS resource " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a resource to {@code dir} (for tools such as openssl) and returns its path. */
    public static Path copyTo(Path dir, String file) {
        try {
            Path p = dir.resolve(file);
            Files.write(p, resource(file));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SSLContext context(String keyName, boolean trustCa) {
        try {
            KeyManagerFactory kmf = null;
            if (keyName != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                Collection<? extends Certificate> chain = certificates(keyName + ".pem");
                ks.setKeyEntry(keyName, privateKey(keyName + ".key"), PASSWORD, chain.toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, PASSWORD);
            }
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            if (trustCa) {
                ts.setCertificateEntry("ca", certificates("ca.pem").iterator().next());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot load test TLS material " + keyName, e);
        }
    }

    private static Collection<? extends Certificate> certificates(String file) throws GeneralSecurityException {
        return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(resource(file)));
    }

    private static PrivateKey privateKey(String file) throws GeneralSecurityException {
        String pem = new String(resource(file), StandardCharsets.US_ASCII)
                .replace("-----BEGIN PRIVATE KEY-----", "")
                .replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        return KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem)));
    }
}
