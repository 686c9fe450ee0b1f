package io.netpoll;

import java.util.List;

/**
 * What {@link EventLoop#shutdown} did. Immutable.
 *
 * @param closedIdle   connections closed at once because no handler was running
 * @param drained      connections closed after their running handler returned, before the deadline
 * @param forceClosed  connections still busy at the deadline and closed anyway (their remote addresses)
 */
public record ShutdownResult(int closedIdle, int drained, List<String> forceClosed) {
    public ShutdownResult {
        forceClosed = List.copyOf(forceClosed);
    }

    /** True when every busy connection finished before the deadline. */
    public boolean graceful() {
        return forceClosed.isEmpty();
    }
}
