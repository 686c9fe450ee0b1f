package io.netpoll.examples;

import io.netpoll.Connection;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.OnRequest;
import io.netpoll.Option;
import io.netpoll.ServerOption;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;
import io.netpoll.buffer.Writer;

import java.io.IOException;
import java.time.Duration;

/**
 * The seed guide's server, in Java: {@code createListener} → {@code newEventLoop(onRequest,
 * options…)} → {@code serve(listener)}, which blocks until {@code shutdown}. The handler echoes
 * what it reads (the seed's handler only flushes). Run:
 * {@code mvn -pl netpoll-core exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.netpoll.examples.EchoServer}
 */
public final class EchoServer {
    private EchoServer() {}

    public static void main(String[] args) throws IOException {
        String address = args.length > 0 ? args[0] : "127.0.0.1:8888";
        // [guide:server]
        String network = "tcp";
        // create the listener
        Listener listener = Netpoll.createListener(network, address);

        // handler: reads the connection's data and handles it
        OnRequest<Object> onRequest = EchoServer::handle;

        // create the EventLoop with its options
        EventLoop eventLoop = Netpoll.newEventLoop(
                onRequest,
                Option.readTimeout(Duration.ofSeconds(1)),
                Option.idleTimeout(Duration.ofMinutes(10)),
                Option.onPrepare(null));

        // run the server: blocks until eventLoop.shutdown(...)
        eventLoop.serve(listener);
        // [/guide:server]
    }

    // [guide:handler]
    static void handle(Object ctx, Connection connection) throws IOException {
        Reader reader = connection.reader();
        Writer writer = connection.writer();
        LinkBuffer data = reader.slice(reader.len()); // zero-copy: takes every readable byte
        writer.append(data); // zero-copy: moves the nodes to the output
        writer.flush(); // one gathering write, from this thread
    }
    // [/guide:handler]

    /** The same server, for tests and other examples: created but not yet serving. */
    public static EventLoop newEventLoop(ServerOption... extra) {
        ServerOption[] options = new ServerOption[extra.length + 2];
        options[0] = Option.readTimeout(Duration.ofSeconds(1));
        options[1] = Option.idleTimeout(Duration.ofMinutes(10));
        System.arraycopy(extra, 0, options, 2, extra.length);
        return Netpoll.newEventLoop(EchoServer::handle, options);
    }
}
