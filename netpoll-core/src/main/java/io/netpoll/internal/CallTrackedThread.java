package io.netpoll.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A thread whose calls the {@link Sysmon} watches: a poller role thread ({@link RoleThread}) or a
 * {@link WorkerPool} worker. {@code calls} is odd while a call (an adaptive handler call, a worker
 * task) runs on this thread; the monitor compares it tick to tick to find calls that block, to
 * report them and, for a compensating pool, to add threads. Written with release stores by this
 * thread only: no fence, no clock read per call.
 */
abstract class CallTrackedThread extends Thread {
    private static final VarHandle CALLS;

    static {
        try {
            CALLS = MethodHandles.lookup().findVarHandle(CallTrackedThread.class, "calls", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The monitor to wake when a call starts while it sleeps; null if none watches this thread. */
    final Sysmon sysmon;

    @SuppressWarnings("unused") // through CALLS
    private long calls;

    // Monitor thread only.
    long seenCalls;
    long stuckSince;
    boolean reported;

    CallTrackedThread(String name, Sysmon sysmon) {
        super(name);
        this.sysmon = sysmon;
    }

    void beginCall() {
        long c = (long) CALLS.getOpaque(this);
        CALLS.setRelease(this, c + 1);
        Sysmon m = sysmon;
        if (m != null && m.sleeping) {
            m.wake();
        }
    }

    void endCall() {
        long c = (long) CALLS.getOpaque(this);
        CALLS.setRelease(this, c + 1);
    }

    long calls() {
        return (long) CALLS.getAcquire(this);
    }

    /** True while a call runs on this thread. */
    boolean inCall() {
        return (calls() & 1) == 1;
    }
}
