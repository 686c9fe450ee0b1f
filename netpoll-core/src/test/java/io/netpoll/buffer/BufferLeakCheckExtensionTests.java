package io.netpoll.buffer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * Tests the leak check itself: runs small fixture classes through the JUnit engine test kit, with
 * extension auto-detection on as in this module, and looks at what the extension reported.
 */
class BufferLeakCheckExtensionTests {

    /** Buffers the fixtures leak on purpose; closed by these tests so the outer check stays green. */
    static final List<LinkBuffer> LEAKED = new ArrayList<>();

    @AfterEach
    void closeWhatTheFixturesLeaked() {
        synchronized (LEAKED) {
            LEAKED.forEach(LinkBuffer::close);
            LEAKED.clear();
        }
    }

    @Test
    void aTestThatLeaksANodeIsReportedWithThePoolStatistics() {
        Events events = run(LeakingFixture.class).testEvents();

        events.assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("leavesABufferOpen"),
                                finishedWithFailure(
                                        instanceOf(AssertionError.class),
                                        message(m -> m.contains("Buffer leak")
                                                && m.contains("outstandingNodes=")
                                                && m.contains("leavesABufferOpen")))));
    }

    @Test
    void theCheckIsRegisteredForEveryTestOfTheModuleThroughAutoDetection() throws Exception {
        // What Surefire's JUnit launcher reads: junit-platform.properties turns auto-detection
        // on, and the service file names the extension.
        java.util.Properties properties = new java.util.Properties();
        try (java.io.InputStream in = getClass().getClassLoader().getResourceAsStream("junit-platform.properties")) {
            assertThat(in)
                    .as("junit-platform.properties on the test class path")
                    .isNotNull();
            properties.load(in);
        }
        assertThat(properties.getProperty("junit.jupiter.extensions.autodetection.enabled"))
                .isEqualTo("true");
        assertThat(java.util.ServiceLoader.load(org.junit.jupiter.api.extension.Extension.class).stream()
                        .map(java.util.ServiceLoader.Provider::type))
                .contains(BufferLeakCheckExtension.class);
    }

    @Test
    void aTestThatClosesEverythingPasses() {
        Events events = run(CleanFixture.class).testEvents();

        events.assertStatistics(stats -> stats.started(3).succeeded(3).failed(0));
    }

    @Test
    void aBufferClosedAsynchronouslyShortlyAfterTheTestIsNotALeak() {
        Events events = run(AsyncCloseFixture.class).testEvents();

        events.assertThatEvents()
                .haveExactly(1, event(test("closesItsBufferFromAnotherThreadLater"), finishedSuccessfully()));
    }

    @Test
    void aLeakIsBlamedOnTheTestThatMadeItNotOnTheTestsAfterIt() {
        Events events = run(LeakThenCleanFixture.class).testEvents();

        events.assertThatEvents()
                .haveExactly(1, event(test("aLeaks"), finishedWithFailure(instanceOf(AssertionError.class))))
                .haveExactly(1, event(test("bIsClean"), finishedSuccessfully()))
                .haveExactly(
                        1,
                        event(
                                test("cLeaksToo"),
                                finishedWithFailure(
                                        instanceOf(AssertionError.class),
                                        message(m -> m.contains("already outstanding before it started")))));
    }

    @Test
    void theCheckCanBeCalledDirectlyForAPrivatePool() {
        BufferPool pool = BufferPool.create(1 << 20);
        LinkBuffer buffer = new LinkBuffer(pool);
        buffer.writeBinary("held".getBytes(StandardCharsets.US_ASCII));

        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        BufferLeakCheckExtension.assertNoOutstandingNodes(pool, 0, Duration.ofMillis(50), "this check"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("still outstanding")
                .hasMessageContaining("after this check");

        buffer.close();
        BufferLeakCheckExtension.assertNoOutstandingNodes(pool, 0, Duration.ofMillis(50), "close");
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void aWatchedPoolIsCheckedAfterTheTestThenForgotten() {
        Events events = run(WatchedPoolFixture.class).testEvents();

        events.assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("aLeaksFromAWatchedPool"),
                                finishedWithFailure(
                                        instanceOf(AssertionError.class), message(m -> m.contains("Buffer leak")))))
                .haveExactly(1, event(test("bIsCleanAlthoughThePoolStillLeaks"), finishedSuccessfully()))
                .haveExactly(1, event(test("cReleasesWhatItTookFromAWatchedPool"), finishedSuccessfully()));
    }

    private static org.junit.platform.testkit.engine.EngineExecutionResults run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter(BufferLeakCheckExtension.TIMEOUT_PARAMETER, "300")
                .configurationParameter(
                        "junit.jupiter.testmethod.order.default", "org.junit.jupiter.api.MethodOrderer$MethodName")
                .selectors(selectClass(fixture))
                .execute();
    }

    private static LinkBuffer leak() {
        LinkBuffer buffer = new LinkBuffer();
        buffer.writeBinary("leaked".getBytes(StandardCharsets.US_ASCII));
        synchronized (LEAKED) {
            LEAKED.add(buffer);
        }
        return buffer;
    }

    // Fixtures: static nested classes, so neither Surefire nor the enclosing class runs them
    // by themselves; only the engine test kit above does.

    static class LeakingFixture {
        @Test
        void leavesABufferOpen() {
            leak();
        }
    }

    static class CleanFixture {
        @Test
        void closesItsBuffer() throws Exception {
            try (LinkBuffer buffer = new LinkBuffer()) {
                buffer.writeString("hello");
                buffer.flush();
                assertThat(buffer.readString(5)).isEqualTo("hello");
            }
        }

        @Test
        void readsAndReleasesEverything() throws Exception {
            LinkBuffer buffer = new LinkBuffer();
            buffer.writeString("hello");
            buffer.flush();
            buffer.next(5);
            buffer.release();
        }

        @Test
        void usesNoBufferAtAll() {
            assertThat(1 + 1).isEqualTo(2);
        }
    }

    static class AsyncCloseFixture {
        @Test
        void closesItsBufferFromAnotherThreadLater() {
            LinkBuffer buffer = new LinkBuffer();
            buffer.writeString("closed later");
            CompletableFuture.runAsync(buffer::close, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
        }
    }

    static class WatchedPoolFixture {
        static final BufferPool POOL = BufferPool.create(1 << 20);

        @Test
        void aLeaksFromAWatchedPool() {
            BufferLeakCheckExtension.watch(POOL);
            LinkBuffer buffer = new LinkBuffer(POOL);
            buffer.writeString("leaked");
            synchronized (LEAKED) {
                LEAKED.add(buffer);
            }
        }

        @Test
        void bIsCleanAlthoughThePoolStillLeaks() {
            assertThat(POOL.stats().outstandingNodes()).isPositive(); // not watched any more
        }

        @Test
        void cReleasesWhatItTookFromAWatchedPool() throws Exception {
            BufferPool pool = BufferPool.create(1 << 20);
            BufferLeakCheckExtension.watch(pool);
            try (LinkBuffer buffer = new LinkBuffer(pool)) {
                buffer.writeString("ok");
                buffer.flush();
                assertThat(buffer.readString(2)).isEqualTo("ok");
            }
        }
    }

    static class LeakThenCleanFixture {
        @Test
        void aLeaks() {
            leak();
        }

        @Test
        void bIsClean() throws Exception {
            try (LinkBuffer buffer = new LinkBuffer()) {
                buffer.writeString("x");
                buffer.flush();
                buffer.readByte();
            }
        }

        @Test
        void cLeaksToo() {
            leak();
        }
    }
}
