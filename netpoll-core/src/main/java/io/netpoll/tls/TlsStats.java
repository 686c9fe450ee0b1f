package io.netpoll.tls;

/**
 * Read-only TLS counters of an event loop or a dialer ({@code NetStats.tls()}). All zero without
 * TLS. Backed by {@link java.util.concurrent.atomic.LongAdder}s: values read under load are
 * approximate. Thread-safe.
 */
public interface TlsStats {
    /** Always zero: the view of a source that has no TLS counters. */
    TlsStats NONE = new TlsStats() {
        @Override
        public long handshakes() {
            return 0;
        }

        @Override
        public long handshakeFailures() {
            return 0;
        }

        @Override
        public long handshakeNanos() {
            return 0;
        }

        @Override
        public long failures(TlsFailure reason) {
            return 0;
        }
    };

    /** Handshakes that completed. */
    long handshakes();

    /**
     * Handshakes that failed before completing, whatever the reason; a failure after the handshake
     * (a truncation, a corrupted record, a renegotiation attempt) counts in {@link #failures} only.
     */
    long handshakeFailures();

    /** Total time of the completed handshakes, from the connection's start to the handshake's end, in nanoseconds. */
    long handshakeNanos();

    /** Failures of one kind, during or after the handshake. */
    long failures(TlsFailure reason);
}
