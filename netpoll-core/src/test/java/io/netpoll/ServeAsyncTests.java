package io.netpoll;

import io.netpoll.testing.TestNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link EventLoop#serveAsync}: serving without a thread per listener, ending in a future. */
class ServeAsyncTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private EventLoop loop(PollerGroup g) {
        return Netpoll.newEventLoop(TestNet::echo, Option.pollerGroup(g));
    }

    @Test
    void servesUntilShutdownThenCompletesNormally() throws Exception {
        EventLoop loop = loop(net.group());
        Listener listener = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        CompletableFuture<Void> served = loop.serveAsync(listener);
        try (Socket s = net.socket(listener.port())) {
            s.getOutputStream().write("ping".getBytes());
            assertThat(readFully(s.getInputStream(), 4)).isEqualTo("ping".getBytes());
        }
        assertThat(served).isNotDone();
        assertThat(loop.servingListeners()).isEqualTo(1);

        loop.shutdown(Duration.ofSeconds(2));
        served.get(10, TimeUnit.SECONDS);
        assertThat(served).isCompleted();
        assertThat(listener.isOpen()).isFalse();
        assertThat(loop.servingListeners()).isZero();
    }

    @Test
    void twoListenersNeedNoThreadEach() throws Exception {
        EventLoop loop = loop(net.group());
        Listener a = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        Listener b = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        CompletableFuture<Void> both = CompletableFuture.allOf(loop.serveAsync(a), loop.serveAsync(b));
        for (Listener l : new Listener[] {a, b}) {
            try (Socket s = net.socket(l.port())) {
                s.getOutputStream().write('x');
                assertThat(s.getInputStream().read()).isEqualTo('x');
            }
        }
        loop.shutdown(Duration.ofSeconds(2));
        both.get(10, TimeUnit.SECONDS);
    }

    @Test
    void failsWithIllegalStateExceptionOnceShutDownAndClosesTheListener() throws Exception {
        EventLoop loop = loop(net.group());
        loop.shutdown(Duration.ofSeconds(1));
        Listener listener = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        CompletableFuture<Void> served = loop.serveAsync(listener);
        assertThat(served).isCompletedExceptionally();
        assertThatThrownBy(served::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(listener.isOpen()).isFalse();
    }

    @Test
    void failsWithTheServeErrorWhenTheListenerCannotBeServed() throws Exception {
        PollerGroup closed = PollerGroup.create(1);
        EventLoop loop = loop(closed);
        closed.close();
        Listener listener = net.closeLater(Netpoll.createListener("tcp", "127.0.0.1:0"));
        CompletableFuture<Void> served = loop.serveAsync(listener);
        assertThatThrownBy(() -> served.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class)
                .cause()
                .hasMessageContaining("closed");
        assertThat(listener.isOpen()).isFalse();
    }

    @Test
    void aBindErrorIsThrownByTheListenerBeforeServing() throws Exception {
        Listener taken = net.closeLater(Netpoll.createListener("tcp4", "127.0.0.1:0"));
        assertThatThrownBy(() -> Netpoll.createListener("tcp4", "127.0.0.1:" + taken.port()))
                .isInstanceOf(java.net.BindException.class);
    }

    @Test
    void cancellingTheFutureStopsServingThatListener() throws Exception {
        EventLoop loop = loop(net.group());
        Listener listener = net.closeLater(Netpoll.createListener("tcp4", "127.0.0.1:0"));
        CompletableFuture<Void> served = loop.serveAsync(listener);
        int port = listener.port();
        assertThat(served.cancel(true)).isTrue();
        assertThatThrownBy(served::join).isInstanceOf(CancellationException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> !listener.isOpen() && loop.servingListeners() == 0);
        assertThatThrownBy(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                    }
                })
                .isInstanceOf(ConnectException.class);
    }
}
