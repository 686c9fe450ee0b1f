package io.netpoll.internal;

import io.netpoll.NetStats;

import java.util.concurrent.atomic.LongAdder;

/** The {@link LongAdder}s behind a {@link NetStats} view; written by pollers, handlers and flushing threads. */
public final class Counters implements NetStats {
    final LongAdder active = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder handlerErrors = new LongAdder();
    final LongAdder peerErrors = new LongAdder();
    final LongAdder handlersOffloaded = new LongAdder();
    /** Connections finished, by the reason they closed (counted once per connection, at its end). */
    private final LongAdder[] closedBy = new LongAdder[CloseReason.values().length];

    {
        for (int i = 0; i < closedBy.length; i++) {
            closedBy[i] = new LongAdder();
        }
    }

    void closed(CloseReason reason) {
        closedBy[(reason != null ? reason : CloseReason.LOCAL).ordinal()].increment();
    }

    @Override
    public java.util.Map<String, Long> connectionsClosedByReason() {
        java.util.Map<String, Long> byReason = new java.util.LinkedHashMap<>();
        for (CloseReason r : CloseReason.values()) {
            byReason.put(r.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), closedBy[r.ordinal()].sum());
        }
        return byReason;
    }

    final LongAdder handlersReadmitted = new LongAdder();
    final LongAdder outputLimitCloses = new LongAdder();
    final LongAdder writeTimeoutCloses = new LongAdder();
    /**
     * Handler calls started and finished: the calls running now are the difference, so a call
     * costs two counter updates, not three (an increment and a decrement of a gauge besides).
     */
    final LongAdder requestsTotal = new LongAdder();

    final LongAdder requestsFinished = new LongAdder();
    final io.netpoll.internal.tls.TlsCounters tls = new io.netpoll.internal.tls.TlsCounters();

    public void accepted() {
        accepted.increment();
    }

    public void rejected() {
        rejected.increment();
    }

    @Override
    public long connectionsActive() {
        return active.sum();
    }

    @Override
    public long connectionsAccepted() {
        return accepted.sum();
    }

    @Override
    public long connectionsRejected() {
        return rejected.sum();
    }

    @Override
    public long bytesIn() {
        return bytesIn.sum();
    }

    @Override
    public long bytesOut() {
        return bytesOut.sum();
    }

    @Override
    public long handlerErrors() {
        return handlerErrors.sum();
    }

    @Override
    public long peerErrors() {
        return peerErrors.sum();
    }

    @Override
    public long handlersOffloaded() {
        return handlersOffloaded.sum();
    }

    @Override
    public long handlersReadmitted() {
        return handlersReadmitted.sum();
    }

    @Override
    public long outputLimitCloses() {
        return outputLimitCloses.sum();
    }

    @Override
    public long writeTimeoutCloses() {
        return writeTimeoutCloses.sum();
    }

    @Override
    public long requestsActive() {
        // Finished first: every call counted there was counted as started before, so the
        // difference read this way is never negative.
        long finished = requestsFinished.sum();
        return Math.max(0, requestsTotal.sum() - finished);
    }

    @Override
    public long requestsTotal() {
        return requestsTotal.sum();
    }

    @Override
    public io.netpoll.tls.TlsStats tls() {
        return tls;
    }

    @Override
    public String toString() {
        return "NetStats[active=" + connectionsActive() + ", accepted=" + connectionsAccepted()
                + ", rejected=" + connectionsRejected() + ", in=" + bytesIn() + ", out=" + bytesOut()
                + ", handlerErrors=" + handlerErrors() + ", peerErrors=" + peerErrors() + ", outputLimitCloses="
                + outputLimitCloses()
                + ", writeTimeoutCloses=" + writeTimeoutCloses() + ", requestsActive=" + requestsActive()
                + ", requestsTotal=" + requestsTotal() + "]";
    }
}
