package io.netpoll.tls;

import javax.net.ssl.SSLProtocolException;

/**
 * The peer tried to renegotiate a TLS 1.2 session (a {@code ClientHello} or {@code HelloRequest}
 * after the handshake). netpoll refuses renegotiation: it has been the root of several protocol
 * attacks and of denial of service (each renegotiation costs the server a full handshake), and
 * TLS 1.3 removed it. The connection is closed.
 */
public final class TlsRenegotiationException extends SSLProtocolException {

    private static final long serialVersionUID = 1L;

    public TlsRenegotiationException(String message) {
        super(message);
    }
}
