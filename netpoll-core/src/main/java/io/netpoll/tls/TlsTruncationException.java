package io.netpoll.tls;

import javax.net.ssl.SSLException;

/**
 * The peer closed the TCP connection without sending TLS {@code close_notify} first: whatever it
 * sent last may have been cut off by an attacker or a failure, so the end of the stream cannot be
 * trusted. Bytes received before (complete, authenticated records) were delivered.
 */
public final class TlsTruncationException extends SSLException {

    private static final long serialVersionUID = 1L;

    public TlsTruncationException(String message) {
        super(message);
    }
}
