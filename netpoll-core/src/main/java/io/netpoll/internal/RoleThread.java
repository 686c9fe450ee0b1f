package io.netpoll.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A thread that can hold a poller's role (see {@link Poller}): a poller's first thread, or a
 * spare that took the role over from a handler that blocked. When it loses the role it finishes
 * the handler loop it was in as a plain worker, then goes back to its {@link Sysmon} as a spare
 * (or exits above the number of spares kept).
 *
 * <p>{@code calls} is odd while an adaptive handler call runs on this thread; the monitor reads it
 * to find handlers that block (written with release stores: no fence, no clock read per call).
 */
final class RoleThread extends Thread {
    private static final VarHandle CALLS;

    static {
        try {
            CALLS = MethodHandles.lookup().findVarHandle(RoleThread.class, "calls", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Sysmon sysmon;
    final String spareName;
    /** The poller to run next; guarded by the sysmon's lock. */
    Poller assigned;

    volatile boolean signalled;
    /**
     * The poller whose role this thread took last (this thread only): a flush to another
     * connection asks it whether this thread still holds the role (see ConnOutput.flush).
     */
    Poller role;

    /**
     * This thread gave its role away itself during the current handler call (a wait in netpoll),
     * as opposed to the monitor taking it from a call blocked elsewhere (this thread only).
     */
    boolean gaveRoleAway;

    /** When the monitor last decided to take this thread's role (written by the monitor before its CAS). */
    long retakenAt;

    @SuppressWarnings("unused") // through CALLS
    private long calls;

    // Monitor thread only.
    long seenCalls;
    long stuckSince;
    boolean reported;

    RoleThread(Sysmon sysmon, String spareName, Poller first) {
        super(first != null ? first.toString() : spareName);
        this.sysmon = sysmon;
        this.spareName = spareName;
        this.assigned = first;
        this.signalled = first != null;
        setDaemon(true);
    }

    void beginCall() {
        long c = (long) CALLS.getOpaque(this);
        CALLS.setRelease(this, c + 1);
        if (sysmon.sleeping) {
            sysmon.wake();
        }
    }

    void endCall() {
        long c = (long) CALLS.getOpaque(this);
        CALLS.setRelease(this, c + 1);
    }

    long calls() {
        return (long) CALLS.getAcquire(this);
    }

    @Override
    public void run() {
        Poller p = sysmon.awaitAssignment(this);
        while (p != null) {
            p.runRole(this);
            setName(spareName);
            p = sysmon.awaitAssignment(this);
        }
    }
}
