package io.netpoll.examples;

import io.netpoll.CloseCallback;
import io.netpoll.Connection;
import io.netpoll.ConnectionClosedException;
import io.netpoll.Dialer;
import io.netpoll.ErrorAction;
import io.netpoll.EventLoop;
import io.netpoll.HandlerMode;
import io.netpoll.Listener;
import io.netpoll.LoadBalance;
import io.netpoll.Netpoll;
import io.netpoll.OnError;
import io.netpoll.OnPrepare;
import io.netpoll.OnRequest;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.ServerConfig;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/** The snippets of docs/guide.md, each a compiled method that {@code GuideExamplesTest} runs. */
public final class GuideExamples {
    private GuideExamples() {}

    /** A length-prefixed frame (int length, then the bytes) read with the zero-copy API. */
    public static String zeroCopyRead(Connection conn) throws IOException {
        // [guide:zero-copy-read]
        Reader reader = conn.reader();
        int length = reader.peek(4).getInt(); // look without taking
        reader.skip(4); // drop the header
        ByteBuffer body = reader.next(length); // a view of the body: waits until it has all arrived
        String text = java.nio.charset.StandardCharsets.UTF_8.decode(body).toString();
        reader.release(); // frees what was read; `body` is invalid from here on
        // [/guide:zero-copy-read]
        return text;
    }

    public static void zeroCopyWrite(Connection conn, String text) throws IOException {
        // [guide:zero-copy-write]
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer header = conn.writer().malloc(4); // reserve 4 bytes and fill them in place
        header.putInt(bytes.length);
        conn.writer().writeBinary(bytes);
        conn.writer().flush(); // sends everything reserved and written
        // [/guide:zero-copy-write]
    }

    /** Forwards two slices of the input to the output, reassembled, without copying bytes. */
    public static void sliceAndAppend(Connection conn, int n1, int n2) throws IOException {
        // [guide:slice-append]
        LinkBuffer buf1 = conn.reader().slice(n1); // n1 bytes, sharing the connection's memory
        LinkBuffer buf2 = buf1.slice(n2); // the first n2 of them
        buf1.append(buf2); // buf1: the other n1-n2 bytes, then those n2
        conn.writer().append(buf1); // hand the nodes to the output
        conn.writer().flush();
        // [/guide:slice-append]
    }

    /** Echoes what arrived: the input's nodes move to the output, nothing is allocated. */
    public static void appendReader(Connection conn) throws IOException {
        // [guide:append-reader]
        Reader in = conn.reader();
        conn.writer().append(in, in.len()); // the input's nodes move to the output
        conn.writer().flush();
        // [/guide:append-reader]
    }

    public static PollerGroup pollers() {
        // [guide:pollers]
        Netpoll.setNumLoops(2); // the default group: 2 pollers
        Netpoll.setLoadBalance(LoadBalance.RANDOM); // or LoadBalance.ROUND_ROBIN (the default)

        // or a group of your own, that you can close (Spring contexts and tests do this)
        PollerGroup group = PollerGroup.create(2, LoadBalance.ROUND_ROBIN);
        // [/guide:pollers]
        Netpoll.setLoadBalance(LoadBalance.ROUND_ROBIN);
        return group;
    }

    public static EventLoop workerPool(PollerGroup group, OnRequest<Object> onRequest) {
        // [guide:worker-pool]
        // default, adaptive: on the poller's thread; a handler that blocks loses the poller, not the others
        EventLoop adaptive = Netpoll.newEventLoop(onRequest, Option.pollerGroup(group));

        // worker: the group's worker pool (threads grow as needed, so handlers may block in next(n))
        EventLoop pooled =
                Netpoll.newEventLoop(onRequest, Option.pollerGroup(group), Option.handlerMode(HandlerMode.WORKER));

        // worker mode on your own executor, e.g. virtual threads on Java 21+ or a bounded pool
        EventLoop custom = Netpoll.newEventLoop(
                onRequest, Option.pollerGroup(group), Option.executor(Executors.newFixedThreadPool(4)));

        // inline: on the poller thread, for handlers that never block (a read that would wait throws)
        EventLoop inline =
                Netpoll.newEventLoop(onRequest, Option.pollerGroup(group), Option.handlerMode(HandlerMode.INLINE));
        // [/guide:worker-pool]
        return inline == null || custom == null || adaptive == null ? pooled : inline;
    }

    public static EventLoop prepare(PollerGroup group) {
        // [guide:prepare]
        OnPrepare<StringBuilder> prepare = connection -> new StringBuilder("session-"); // the context
        OnRequest<StringBuilder> handler = (session, connection) -> { // typed: the same object every call, no cast
            session.append(connection.reader().readString(connection.reader().len()));
            connection.writer().writeString(session.toString());
            connection.writer().flush();
        };
        EventLoop eventLoop = Netpoll.newEventLoop(handler, Option.onPrepare(prepare), Option.pollerGroup(group));
        // [/guide:prepare]
        return eventLoop;
    }

    public static void timeouts(Connection connection) {
        // [guide:timeouts]
        // as options, for every connection of an event loop or dialer
        Option read = Option.readTimeout(Duration.ofSeconds(1));
        Option idle = Option.idleTimeout(Duration.ofMinutes(10));
        Option write = Option.writeTimeout(Duration.ofSeconds(5));

        // or per connection
        connection.setReadTimeout(Duration.ofSeconds(1)); // next(n) throws ReadTimeoutException
        connection.setIdleTimeout(Duration.ofMinutes(10)); // closed after 10 min without traffic
        connection.setWriteTimeout(Duration.ofSeconds(5)); // a blocked flush closes, throws WriteTimeoutException
        // [/guide:timeouts]
        if (read == null || idle == null || write == null) {
            throw new AssertionError();
        }
    }

    public static void callbacks(Connection connection, OnRequest<Object> onRequest, Runnable onClosed) {
        // [guide:callbacks]
        // client side: switch from blocking reads to a read callback
        connection.setOnRequest(onRequest);

        // run something once when the connection closes (after its handler returns, newest first)
        CloseCallback callback = conn -> onClosed.run();
        connection.addCloseCallback(callback);
        // [/guide:callbacks]
    }

    /** Serves without a thread of its own; {@code app} stands for the application running meanwhile. */
    public static void serveAsync(PollerGroup group, Consumer<Listener> app) throws IOException {
        // [guide:serve-async]
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        EventLoop eventLoop = Netpoll.newEventLoop(EchoServer::handle, Option.pollerGroup(group));
        CompletableFuture<Void> serving = eventLoop.serveAsync(listener); // returns at once

        app.accept(listener); // the application runs

        eventLoop.shutdown(Duration.ofSeconds(5));
        serving.join(); // serving has ended
        // [/guide:serve-async]
    }

    /** Options typed by where they apply, and the same settings as immutable configs. */
    public static EventLoop[] configs(PollerGroup group, OnRequest<Object> handler) {
        // [guide:configs]
        // Go style: options, each typed by where it applies
        EventLoop server = Netpoll.newEventLoop(
                handler,
                Option.readTimeout(Duration.ofSeconds(1)), // any connection: an Option
                Option.maxConnections(10_000), // server-only: a ServerOption
                Option.pollerGroup(group));
        Dialer dialer = Netpoll.newDialer(
                Option.connectTimeout(Duration.ofSeconds(2)), // client-only: a DialerOption
                Option.pollerGroup(group));

        // or typed builders: immutable configs to keep, share and derive from
        ServerConfig config = ServerConfig.builder()
                .readTimeout(Duration.ofSeconds(1))
                .maxConnections(10_000)
                .pollerGroup(group)
                .build();
        EventLoop same = Netpoll.newEventLoop(handler, config);
        EventLoop inline = Netpoll.newEventLoop(
                handler, config.toBuilder().handlerMode(HandlerMode.INLINE).build());
        // [/guide:configs]
        if (dialer.connectTimeout() == null) {
            throw new AssertionError();
        }
        return new EventLoop[] {server, same, inline};
    }

    /** One exception type for a connection that has gone, whatever the call. */
    public static void reply(Connection connection, String text) throws IOException {
        // [guide:closed]
        try {
            connection.writer().writeString(text); // write* and flush alike
            connection.writer().flush();
        } catch (ConnectionClosedException gone) {
            // the peer left (or the connection was closed): nothing to send it any more
        }
        // [/guide:closed]
    }

    /** A line protocol whose handler throws on a bad command; the hook answers instead of closing. */
    public static EventLoop errorHook(PollerGroup group, OnRequest<StringBuilder> handler) {
        // [guide:error-hook]
        OnError<StringBuilder> onError = (session, connection, error) -> {
            if (error instanceof IllegalArgumentException) { // a bad request: answer it
                connection.writer().writeString("-ERR " + error.getMessage() + "\r\n");
                connection.writer().flush();
                return ErrorAction.keepOpen();
            }
            return ErrorAction.close(); // anything else: the default
        };
        EventLoop eventLoop = Netpoll.newEventLoop(
                handler,
                Option.onPrepare(connection -> new StringBuilder()),
                Option.onError(onError),
                Option.pollerGroup(group));
        // [/guide:error-hook]
        return eventLoop;
    }
}
