package io.netpoll.tls;

/**
 * Why a TLS connection failed: a bounded set, for counters and meter tags
 * ({@link TlsStats#failures(TlsFailure)}).
 */
public enum TlsFailure {
    /** The handshake did not complete within the config's handshake timeout. */
    TIMEOUT,
    /** A certificate was refused: untrusted, expired, a host name mismatch, or none where one was needed. */
    CERTIFICATE,
    /** Anything else the TLS protocol refused: garbage instead of a record, no common protocol or cipher suite, a bad record. */
    PROTOCOL,
    /** The peer closed the connection without {@code close_notify} after the handshake ({@link TlsTruncationException}). */
    TRUNCATION,
    /** A TLS 1.2 renegotiation attempt, which is refused ({@link TlsRenegotiationException}). */
    RENEGOTIATION,
    /** The peer closed or reset the connection during the handshake. */
    PEER_CLOSED
}
