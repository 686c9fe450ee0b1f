package io.netpoll.benchmarks.soak;

import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.OnRequest;
import io.netpoll.Option;
import io.netpoll.PollerGroup;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A netpoll server on 127.0.0.1, an ephemeral port and a poller group of its own, for tests. */
final class LoopbackServer implements AutoCloseable {

    private final PollerGroup group = PollerGroup.create(1);
    private final Listener listener;
    private final EventLoop loop;
    private final CompletableFuture<Void> serving;

    LoopbackServer(OnRequest<?> handler) throws IOException {
        listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        loop = Netpoll.newEventLoop(handler, Option.pollerGroup(group));
        serving = loop.serveAsync(listener);
    }

    int port() {
        return listener.port();
    }

    @Override
    public void close() throws InterruptedException {
        loop.shutdown(Duration.ofSeconds(2));
        try {
            serving.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // closed by the test
        }
        group.close();
    }
}
