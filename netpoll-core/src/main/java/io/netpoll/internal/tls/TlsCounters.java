package io.netpoll.internal.tls;

import io.netpoll.tls.TlsFailure;
import io.netpoll.tls.TlsStats;

import java.util.concurrent.atomic.LongAdder;

/** The {@link LongAdder}s behind a {@link TlsStats} view; written by pollers and handshake tasks. */
public final class TlsCounters implements TlsStats {
    private static final TlsFailure[] REASONS = TlsFailure.values();

    private final LongAdder handshakes = new LongAdder();
    private final LongAdder handshakeNanos = new LongAdder();
    private final LongAdder handshakeFailures = new LongAdder();
    private final LongAdder[] failures = new LongAdder[REASONS.length];

    public TlsCounters() {
        for (int i = 0; i < failures.length; i++) {
            failures[i] = new LongAdder();
        }
    }

    public void handshakeDone(long nanos) {
        handshakes.increment();
        handshakeNanos.add(nanos);
    }

    /** Counts a failure; a handshake failure when {@code duringHandshake}. */
    public void failed(TlsFailure reason, boolean duringHandshake) {
        failures[reason.ordinal()].increment();
        if (duringHandshake) {
            handshakeFailures.increment();
        }
    }

    @Override
    public long handshakes() {
        return handshakes.sum();
    }

    @Override
    public long handshakeFailures() {
        return handshakeFailures.sum();
    }

    @Override
    public long handshakeNanos() {
        return handshakeNanos.sum();
    }

    @Override
    public long failures(TlsFailure reason) {
        return failures[reason.ordinal()].sum();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("TlsStats[handshakes=")
                .append(handshakes())
                .append(", handshakeFailures=")
                .append(handshakeFailures());
        for (TlsFailure r : REASONS) {
            long n = failures(r);
            if (n != 0) {
                b.append(", ").append(r).append('=').append(n);
            }
        }
        return b.append(']').toString();
    }
}
