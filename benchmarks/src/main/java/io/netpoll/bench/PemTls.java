package io.netpoll.bench;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * A server {@link SSLContext} from PEM files with the JDK only: a certificate chain (the server's
 * first) and an unencrypted PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}), RSA or EC,
 * as {@code openssl req -x509 -newkey rsa:2048 -nodes} (openssl 3) writes them. Not thread-safe
 * to share while loading; the context it returns is.
 */
public final class PemTls {
    private static final char[] PASSWORD = "bench".toCharArray();
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "EdDSA");

    private PemTls() {}

    /**
     * @throws IOException              a file cannot be read
     * @throws GeneralSecurityException the material is not what is described above (the message says what)
     */
    public static SSLContext serverContext(Path certPem, Path keyPem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> chain = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certPem)));
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + certPem);
        }
        PrivateKey key = privateKey(Files.readString(keyPem, StandardCharsets.US_ASCII), keyPem);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, PASSWORD, chain.toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    static PrivateKey privateKey(String pem, Path file) throws GeneralSecurityException {
        String begin = "-----BEGIN PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf("-----END PRIVATE KEY-----");
        if (from < 0 || to < from) {
            throw new GeneralSecurityException(file + " is not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY); "
                    + "convert it: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // not this algorithm: try the next
            }
        }
        throw new GeneralSecurityException(file + ": not an RSA, EC or EdDSA PKCS#8 key");
    }
}
