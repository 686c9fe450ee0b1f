package io.netpoll.testing;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.PollerGroup;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * The fixture itself, run on small fixture classes through the JUnit engine test kit: it cleans
 * up whatever a test left open, bounds a test that hangs, and in a fault scenario fails a test
 * that leaves a connection open.
 */
class TestNetTests {

    /** What the fixtures saw, for these tests to look at after the run. */
    static final List<Object> SEEN = new CopyOnWriteArrayList<>();

    @Test
    void everythingATestOpenedIsClosedAfterIt() {
        SEEN.clear();
        Events events = run(OpenEverythingFixture.class).testEvents();

        events.assertStatistics(stats -> stats.started(1).succeeded(1).failed(0));
        PollerGroup group = (PollerGroup) SEEN.get(0);
        Server server = (Server) SEEN.get(1);
        Socket peer = (Socket) SEEN.get(2);
        Connection dialed = (Connection) SEEN.get(3);
        assertThat(group.isClosed()).isTrue();
        assertThat(server.loop().isShutdown()).isTrue();
        assertThat(server.listener().isOpen()).isFalse();
        assertThat(server.serving()).isDone();
        assertThat(peer.isClosed()).isTrue();
        assertThat(dialed.isActive()).isFalse();
        assertThat(((java.util.concurrent.ExecutorService) SEEN.get(4)).isShutdown())
                .isTrue();
    }

    @Test
    void aTestThatHangsFailsAtTheTimeoutAndTheNextOneRuns() {
        Events events = run(HangingFixture.class).testEvents();

        events.assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("aHangs"),
                                finishedWithFailure(
                                        instanceOf(TimeoutException.class),
                                        message(m -> m.contains("aHangs() timed out after PT0.3S")))))
                .haveExactly(1, event(test("bRuns"), finishedSuccessfully()));
        // each invocation of a parameterized test is bounded on its own
        events.assertThatEvents()
                .haveExactly(
                        2,
                        event(test("cHangsInEachInvocation"), finishedWithFailure(instanceOf(TimeoutException.class))));
    }

    @Test
    void aFaultScenarioFailsATestThatLeavesAConnectionOpen() {
        Events events = run(LeftOpenFixture.class).testEvents();

        events.assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("leavesADialedConnectionOpen"),
                                finishedWithFailure(
                                        instanceOf(AssertionError.class),
                                        message(m -> m.contains("still has connections")))))
                .haveExactly(1, event(test("closesWhatItOpened"), finishedSuccessfully()));
    }

    private static org.junit.platform.testkit.engine.EngineExecutionResults run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter(
                        "junit.jupiter.testmethod.order.default", "org.junit.jupiter.api.MethodOrderer$MethodName")
                .selectors(selectClass(fixture))
                .execute();
    }

    static class OpenEverythingFixture {
        @RegisterExtension
        final TestNet net = TestNet.create();

        @Test
        void opensAndLeavesEverythingOpen() throws Exception {
            Server server = net.echoServer();
            Socket peer = net.socket(server.port());
            peer.getOutputStream().write(1);
            assertThat(peer.getInputStream().read()).isEqualTo(1);
            Dialer dialer = net.dialer();
            Connection dialed = dialer.dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(5));
            SEEN.addAll(List.of(net.group(), server, peer, dialed, net.exec()));
        }
    }

    static class HangingFixture {
        @RegisterExtension
        final TestNet net = TestNet.create().timeout(Duration.ofMillis(300));

        @Test
        void aHangs() throws InterruptedException {
            new CountDownLatch(1).await(); // forever, but for the fixture's interrupt
        }

        @Test
        void bRuns() throws Exception {
            Socket s = net.socket(net.echoServer().port());
            s.getOutputStream().write(7);
            assertThat(s.getInputStream().read()).isEqualTo(7);
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 2})
        void cHangsInEachInvocation(int ignored) throws InterruptedException {
            new CountDownLatch(1).await();
        }
    }

    static class LeftOpenFixture {
        @RegisterExtension
        final TestNet net = TestNet.faultScenario().cleanWithin(Duration.ofMillis(300));

        @Test
        void leavesADialedConnectionOpen() throws Exception {
            Server server = net.echoServer();
            net.dialer().dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(5));
        }

        @Test
        void closesWhatItOpened() throws Exception {
            Server server = net.echoServer();
            net.peer(net.dialer().dialConnection("tcp", "127.0.0.1:" + server.port(), Duration.ofSeconds(5)));
        }
    }
}
