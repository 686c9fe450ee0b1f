package io.netpoll.bench;

import io.netpoll.Connection;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.Reader;

import java.io.IOException;
import java.time.Duration;

/**
 * The echo server for {@code ../shared/bench}: one poller on 127.0.0.1:PORT, in the foreground.
 * The handler takes what is readable and writes it back (zero-copy: {@code append(reader, n)}, i.e. slice and append in one step, then flush).
 * {@code NETPOLL_MODE=inline} (default) runs the handler on the poller, as Netty does;
 * {@code NETPOLL_MODE=worker} hands it to the worker pool, as Go netpoll does.
 */
public final class EchoServer {
    private EchoServer() {
    }

    static void echo(Object ctx, Connection c) throws IOException {
        Reader r = c.reader();
        int n = r.len();
        if (n > 0) {
            c.writer().append(r, n);
            c.writer().flush();
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: echo-server PORT");
            System.exit(64);
        }
        String mode = System.getenv().getOrDefault("NETPOLL_MODE", "inline");
        PollerGroup group = PollerGroup.create(1);
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:" + Integer.parseInt(args[0]));
        EventLoop loop = "worker".equals(mode)
                ? Netpoll.newEventLoop(EchoServer::echo, Option.pollerGroup(group))
                : Netpoll.newEventLoop(EchoServer::echo, Option.pollerGroup(group), Option.inlineHandlers());
        EventLoop serving = loop;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            serving.shutdown(Duration.ofSeconds(1));
            group.close();
        }));
        System.err.println("netpoll-java echo server on 127.0.0.1:" + listener.port() + " (" + mode + ")");
        loop.serve(listener);
    }
}
