package io.netpoll.tls;

/** Whether a TLS server asks its clients for a certificate. */
public enum ClientAuth {
    /** No client certificate is requested. */
    NONE,
    /** A client certificate is requested; a client without one is still accepted. */
    WANT,
    /** A valid client certificate is required; the handshake fails without one. */
    NEED
}
