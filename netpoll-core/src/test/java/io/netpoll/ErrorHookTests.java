package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The error-handling hook ({@link Option#onError}) and the default handling of errors a peer
 * causes: the worst handler (throws) gets a reply or a quiet close of the application's choice;
 * the worst peer (never sends the rest of a frame) costs one INFO line without stack trace.
 */
class ErrorHookTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    private final Logger jul = Logger.getLogger("io.netpoll.connection");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private Level previous;

    @BeforeEach
    void captureLog() {
        previous = jul.getLevel();
        jul.setLevel(Level.ALL);
        jul.addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        jul.removeHandler(capture);
        jul.setLevel(previous);
    }

    /** Line protocol: "boom" makes the handler throw, anything else is echoed. */
    private static void lines(StringBuilder session, Connection c) throws Exception {
        int end;
        while ((end = c.reader().indexOf((byte) '\n')) >= 0) {
            String line = c.reader().readString(end + 1).strip();
            session.append(line).append(';');
            if (line.equals("boom")) {
                throw new IllegalArgumentException("bad command: " + line);
            }
            c.writer().writeString(line + "\n");
            c.writer().flush();
        }
    }

    @Test
    void theHookTurnsAHandlerExceptionIntoAReplyAndKeepsTheConnection() throws Exception {
        OnRequest<StringBuilder> handler = ErrorHookTests::lines;
        OnError<StringBuilder> onError = (session, connection, error) -> {
            connection.writer().writeString("ERR " + error.getMessage() + " after " + session + "\n");
            connection.writer().flush();
            return ErrorAction.keepOpen();
        };
        Server server = net.startServer(handler, Option.onPrepare(c -> new StringBuilder()), Option.onError(onError));
        try (Socket s = net.socket(server.port())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            s.getOutputStream().write("hi\nboom\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("hi");
            assertThat(in.readLine()).isEqualTo("ERR bad command: boom after hi;boom;");
            s.getOutputStream().write("again\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).as("the connection stayed open").isEqualTo("again");
        }
        assertThat(server.loop().stats().handlerErrors()).isEqualTo(1);
        assertThat(server.loop().stats().peerErrors()).isZero();
        assertThat(records)
                .as("keepOpen logs nothing")
                .noneMatch(r -> r.getLevel().intValue() >= Level.INFO.intValue());
    }

    @Test
    void aQuietCloseClosesAndLogsNothingButCounts() throws Exception {
        Server server = net.startServer(
                (OnRequest<StringBuilder>) ErrorHookTests::lines,
                Option.onPrepare(c -> new StringBuilder()),
                Option.onError((ctx, c, e) -> ErrorAction.closeQuietly()));
        try (Socket s = net.socket(server.port())) {
            s.getOutputStream().write("boom\n".getBytes(StandardCharsets.UTF_8));
            assertThat(s.getInputStream().read()).as("closed: EOF").isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().handlerErrors() == 1);
        assertThat(records).noneMatch(r -> r.getLevel().intValue() >= Level.INFO.intValue());
    }

    @Test
    void theHookChoosesTheLogLevel() throws Exception {
        Server server = net.startServer(
                (OnRequest<StringBuilder>) ErrorHookTests::lines,
                Option.onPrepare(c -> new StringBuilder()),
                Option.onError((ctx, c, e) -> ErrorAction.close(System.Logger.Level.ERROR)));
        try (Socket s = net.socket(server.port())) {
            s.getOutputStream().write("boom\n".getBytes(StandardCharsets.UTF_8));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> records.stream()
                        .anyMatch(r ->
                                r.getLevel() == Level.SEVERE && r.getThrown() instanceof IllegalArgumentException));
    }

    @Test
    void aHookThatThrowsClosesTheConnectionAndIsLogged() throws Exception {
        Server server = net.startServer(
                (OnRequest<StringBuilder>) ErrorHookTests::lines,
                Option.onPrepare(c -> new StringBuilder()),
                Option.onError((ctx, c, e) -> {
                    throw new IllegalStateException("hook bug");
                }));
        try (Socket s = net.socket(server.port())) {
            s.getOutputStream().write("boom\n".getBytes(StandardCharsets.UTF_8));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> records.stream()
                        .anyMatch(r -> r.getLevel() == Level.WARNING
                                && r.getThrown() != null
                                && "hook bug".equals(r.getThrown().getMessage())
                                && r.getThrown().getSuppressed().length == 1));
        assertThat(server.loop().stats().handlerErrors()).isEqualTo(1);
    }

    @Test
    void aReadTimeoutIsAPeerErrorLoggedAsOneLineWithoutStackTrace() throws Exception {
        Server server = net.startServer(
                (Object ctx, Connection c) -> c.reader().next(100), // the peer sends 1 byte
                Option.readTimeout(Duration.ofMillis(100)));
        try (Socket s = net.socket(server.port())) {
            s.getOutputStream().write('x');
            assertThat(s.getInputStream().read())
                    .as("closed after the read timeout")
                    .isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().peerErrors() == 1);
        assertThat(server.loop().stats().handlerErrors()).isZero();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> records.stream()
                        .anyMatch(r -> r.getMessage().contains("after a peer error: ReadTimeoutException")));
        assertThat(records)
                .filteredOn(r -> r.getMessage().contains("peer error"))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.getLevel()).isEqualTo(Level.INFO);
                    assertThat(r.getThrown()).as("no stack trace").isNull();
                    assertThat(r.getMessage()).doesNotContain("\n");
                });
    }

    @Test
    void aFailedDialUpstreamIsAPeerError() throws Exception {
        int closedPort;
        try (Listener l = Netpoll.createListener("tcp4", "127.0.0.1:0")) {
            closedPort = l.port();
        }
        Dialer upstream = net.dialer();
        Server server = net.startServer((Object ctx, Connection c) -> {
            c.reader().skip(c.reader().len());
            upstream.dialConnection("tcp4", "127.0.0.1:" + closedPort, Duration.ofSeconds(5)); // refused
        });
        try (Socket s = net.socket(server.port())) {
            s.getOutputStream().write('x');
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loop().stats().peerErrors() == 1);
        assertThat(server.loop().stats().handlerErrors()).isZero();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> records.stream()
                        .anyMatch(r -> r.getMessage().contains("ConnectException") && r.getThrown() == null));
    }
}
