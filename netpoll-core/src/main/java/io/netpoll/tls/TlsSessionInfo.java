package io.netpoll.tls;

import org.jspecify.annotations.Nullable;

import java.security.cert.Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What a completed TLS handshake negotiated: an immutable snapshot, safe to keep and to read from
 * any thread.
 *
 * @param protocol            the protocol, e.g. {@code TLSv1.3}
 * @param cipherSuite         the cipher suite, e.g. {@code TLS_AES_128_GCM_SHA256}
 * @param peerCertificates    the peer's certificate chain, leaf first; empty when the peer sent
 *                            none (a client without a certificate)
 * @param localCertificates   the chain this side sent, leaf first; empty when none
 * @param applicationProtocol the protocol negotiated by ALPN, or {@code null} when none was
 * @param serverName          the SNI host name the client sent (on both sides), or {@code null}
 *                            when it sent none (the JDK sends none for a name without a dot,
 *                            such as {@code localhost}, nor for an IP address)
 */
public record TlsSessionInfo(
        String protocol,
        String cipherSuite,
        List<Certificate> peerCertificates,
        List<Certificate> localCertificates,
        @Nullable String applicationProtocol,
        @Nullable String serverName) {

    public TlsSessionInfo {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
        peerCertificates = List.copyOf(peerCertificates);
        localCertificates = List.copyOf(localCertificates);
    }
}
