package io.netpoll.buffer;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fails a test that leaves a memory node of {@link BufferPool#defaultPool()} outstanding.
 *
 * <p>After each test it waits (with Awaitility, so connections closed asynchronously by a poller
 * have time to give their nodes back) until the default pool's
 * {@link BufferPoolStats#outstandingNodes() outstandingNodes} is back to zero, and fails the test
 * with the pool's statistics if it does not get there in time.
 *
 * <p>A leak is blamed on the test that made it, not on every test after it: if nodes were already
 * outstanding when a test started (an earlier test leaked), that test only fails if it adds more.
 *
 * <h2>Pools of one's own</h2>
 * A test that makes connections on a pool other than the default one (a Spring context owns its
 * pool, for instance) hands it to {@link #watch(BufferPool)}: after the test that pool is checked
 * too (with no node allowed outstanding, since it was new), then forgotten. The starter's tests
 * watch every context's pool this way.
 *
 * <h2>Registration</h2>
 * netpoll-core registers it for every test through JUnit's extension auto-detection
 * ({@code junit-platform.properties} sets {@code junit.jupiter.extensions.autodetection.enabled=true};
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} names this class). Other
 * modules get it from netpoll-core's test-jar: depend on
 * {@code io.netpoll:netpoll-core:test-jar} (test scope) and either turn auto-detection on the same
 * way or add {@code @ExtendWith(BufferLeakCheckExtension.class)}.
 *
 * <h2>Configuration</h2>
 * {@value #TIMEOUT_PARAMETER} (a JUnit configuration parameter or system property, in
 * milliseconds, default {@value #DEFAULT_TIMEOUT_MILLIS}) bounds the wait.
 */
public final class BufferLeakCheckExtension implements BeforeEachCallback, AfterEachCallback {

    /** JUnit configuration parameter (or system property): how long to wait for nodes to come back, in ms. */
    public static final String TIMEOUT_PARAMETER = "netpoll.leak-check.timeout-millis";

    static final long DEFAULT_TIMEOUT_MILLIS = 5_000;

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(BufferLeakCheckExtension.class);
    private static final String BASELINE = "outstandingNodesBefore";
    /** Pools to check after the current test; identity-based (a pool does not override equals). */
    private static final Set<BufferPool> WATCHED = ConcurrentHashMap.newKeySet();

    /**
     * Checks {@code pool} as well after the current test, then forgets it. For pools the test
     * creates indirectly (a Spring context's). Any thread.
     */
    public static void watch(BufferPool pool) {
        if (pool != BufferPool.defaultPool()) {
            WATCHED.add(pool);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE)
                .put(BASELINE, BufferPool.defaultPool().stats().outstandingNodes());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Long before = context.getStore(NAMESPACE).get(BASELINE, Long.class);
        long baseline = before == null ? 0 : Math.max(0, before);
        Duration timeout = timeout(context);
        List<BufferPool> watched = new ArrayList<>(WATCHED);
        WATCHED.removeAll(watched);
        AssertionError failure = null;
        for (BufferPool pool : watched) {
            try {
                assertNoOutstandingNodes(pool, 0, timeout, context.getDisplayName());
            } catch (AssertionError e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        assertNoOutstandingNodes(BufferPool.defaultPool(), baseline, timeout, context.getDisplayName());
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Waits up to {@code timeout} until {@code pool} has at most {@code allowed} nodes outstanding,
     * and throws an {@link AssertionError} giving the pool's statistics if it does not.
     * Usable directly by tests that check a pool of their own.
     */
    public static void assertNoOutstandingNodes(BufferPool pool, long allowed, Duration timeout, String what) {
        AtomicReference<BufferPoolStats> last = new AtomicReference<>(pool.stats());
        if (last.get().outstandingNodes() <= allowed) {
            return;
        }
        try {
            Awaitility.await("buffer nodes to be returned to the pool after " + what)
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        BufferPoolStats stats = pool.stats();
                        last.set(stats);
                        return stats.outstandingNodes() <= allowed;
                    });
        } catch (ConditionTimeoutException e) {
            BufferPoolStats stats = last.get();
            String message = "Buffer leak: " + (stats.outstandingNodes() - allowed)
                    + " memory node(s) of " + pool + " still outstanding " + timeout.toMillis()
                    + " ms after " + what + " (" + stats + ")"
                    + (allowed > 0
                            ? "; " + allowed + " node(s) were already outstanding before it started,"
                                    + " leaked by an earlier test"
                            : "")
                    + ". Every LinkBuffer, slice and connection must be released or closed.";
            throw new AssertionError(message);
        }
    }

    private static Duration timeout(ExtensionContext context) {
        String value =
                context.getConfigurationParameter(TIMEOUT_PARAMETER).orElse(System.getProperty(TIMEOUT_PARAMETER));
        if (value == null || value.isBlank()) {
            return Duration.ofMillis(DEFAULT_TIMEOUT_MILLIS);
        }
        return Duration.ofMillis(Long.parseLong(value.trim()));
    }
}
