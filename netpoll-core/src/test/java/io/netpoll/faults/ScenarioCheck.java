package io.netpoll.faults;

import io.netpoll.Dialer;
import io.netpoll.EventLoop;
import io.netpoll.NetStats;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.BufferLeakCheckExtension;
import io.netpoll.buffer.BufferPool;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The check after every fault scenario: whatever the scenario did to the servers, they are back
 * to a clean state once its peers have gone.
 *
 * <ul>
 * <li>every event loop and dialer has no open connection ({@link NetStats#connectionsActive()}),
 *     and every event loop tracks none ({@link EventLoop#connectionCount()});</li>
 * <li>the poller group still runs all its pollers ({@link io.netpoll.PollerGroupStats#pollers()}
 *     equals {@link PollerGroup#numLoops()}: no poller thread died), and has nothing registered
 *     but the listeners;</li>
 * <li>no node of a buffer pool is outstanding (see {@link BufferLeakCheckExtension}).</li>
 * </ul>
 *
 * <p>Usage: {@code ScenarioCheck.after("name").eventLoop("echo", loop).dialer("client", d)
 * .pollers(group, listeners).verify(timeout)}, then {@link #assertNoOutstandingNodes} once the
 * servers are shut down (a server holds no node when idle, so it may also be called while they run).
 * Used by netpoll-core's {@code TestNet.faultScenario()} and by the sample application's fault tests (through
 * netpoll-core's test-jar). Not thread-safe: one check per thread.
 */
public final class ScenarioCheck {
    private final String scenario;
    private final Map<String, EventLoop> loops = new LinkedHashMap<>();
    private final Map<String, NetStats> dialers = new LinkedHashMap<>();
    private PollerGroup group;
    private IntSupplier listeners = () -> 0;

    private ScenarioCheck(String scenario) {
        this.scenario = scenario;
    }

    /** Starts a check after {@code scenario} (named in failure messages). */
    public static ScenarioCheck after(String scenario) {
        return new ScenarioCheck(scenario);
    }

    public ScenarioCheck eventLoop(String name, EventLoop loop) {
        loops.put(name, loop);
        return this;
    }

    public ScenarioCheck dialer(String name, Dialer dialer) {
        dialers.put(name, dialer.stats());
        return this;
    }

    /** Checks that {@code group} runs all its pollers and that only {@code listeners} channels stay registered. */
    public ScenarioCheck pollers(PollerGroup group, int listeners) {
        return pollers(group, () -> listeners);
    }

    public ScenarioCheck pollers(PollerGroup group, IntSupplier listeners) {
        this.group = group;
        this.listeners = listeners;
        return this;
    }

    /**
     * Waits up to {@code timeout} for every condition; throws an {@link AssertionError} naming
     * each one still false.
     */
    public void verify(Duration timeout) {
        try {
            Awaitility.await("a clean state after " + scenario)
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> problems().isEmpty());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "after " + scenario + ", " + timeout.toMillis() + " ms later: " + String.join("; ", problems()));
        }
    }

    private List<String> problems() {
        List<String> p = new ArrayList<>();
        loops.forEach((name, loop) -> {
            if (loop.stats().connectionsActive() != 0 || loop.connectionCount() != 0) {
                p.add("server " + name + " still has connections: " + loop.stats() + ", tracked "
                        + loop.connectionCount());
            }
        });
        dialers.forEach((name, stats) -> {
            if (stats.connectionsActive() != 0) {
                p.add("dialer " + name + " still has connections: " + stats);
            }
        });
        if (group != null) {
            int running = group.stats().pollers();
            if (running != group.numLoops()) {
                p.add("poller threads lost: " + running + " of " + group.numLoops() + " running");
            }
            long registered = group.stats().registrations();
            if (registered != listeners.getAsInt()) {
                p.add(registered + " channels registered with the pollers, expected only the " + listeners.getAsInt()
                        + " listener(s)");
            }
        }
        return p;
    }

    /** No node of the default pool outstanding beyond {@code baseline} (what was outstanding before the scenario). */
    public static void assertNoOutstandingNodes(String scenario, long baseline, Duration timeout) {
        assertNoOutstandingNodes(BufferPool.defaultPool(), scenario, baseline, timeout);
    }

    public static void assertNoOutstandingNodes(BufferPool pool, String scenario, long baseline, Duration timeout) {
        BufferLeakCheckExtension.assertNoOutstandingNodes(pool, baseline, timeout, scenario);
    }
}
