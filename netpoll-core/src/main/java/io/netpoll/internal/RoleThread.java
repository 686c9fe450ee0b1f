package io.netpoll.internal;

/**
 * A thread that can hold a poller's role (see {@link Poller}): a poller's first thread, or a
 * spare that took the role over from a handler that blocked. When it loses the role it finishes
 * the handler loop it was in as a plain worker, then goes back to its {@link Sysmon} as a spare
 * (or exits above the number of spares kept).
 *
 * <p>Its call counter ({@link CallTrackedThread}) is odd while an adaptive handler call runs on
 * this thread; the monitor reads it to find handlers that block.
 */
final class RoleThread extends CallTrackedThread {
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

    /** {@link ThreadSched#look} at this thread at that moment, or null (written with {@link #retakenAt}). */
    ThreadSched.Look lookAtRetake;

    /**
     * The monitor found the retaken call blocked throughout {@link Sysmon#BLOCKED_AFTER_RETAKE_NANOS}
     * or more after the retake (see Sysmon.followUp); cleared by the monitor before each retake.
     */
    volatile boolean blockedAfterRetake;

    // Monitor thread only: the follow-up looks at a retaken call (Sysmon.followUp).
    long retakenCall;
    int followUps;
    ThreadSched.Look followLook;

    /** This thread's Linux thread id (for {@link ThreadSched}), or -1; set when it starts. */
    volatile int tid = -1;

    RoleThread(Sysmon sysmon, String spareName, Poller first) {
        super(first != null ? first.toString() : spareName, sysmon);
        this.spareName = spareName;
        this.assigned = first;
        this.signalled = first != null;
        setDaemon(true);
    }

    @Override
    public void run() {
        tid = ThreadSched.currentTid();
        Poller p = sysmon.awaitAssignment(this);
        while (p != null) {
            p.runRole(this);
            setName(spareName);
            p = sysmon.awaitAssignment(this);
        }
    }
}
