package io.netpoll.examples;

import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.OnRequest;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.Reader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The guide's half-closure snippet, run against a client that sends and half-closes. */
class HalfClosureExamplesTests {
    private PollerGroup group;

    @BeforeEach
    void createGroup() {
        group = PollerGroup.create(1);
    }

    @AfterEach
    void closeGroup() {
        group.close();
    }

    static EventLoop halfClosingServer(PollerGroup group) {
        // [guide:half-closure]
        OnRequest<Object> handler = (ctx, connection) -> {
            boolean finished = connection.isInputShutdown(); // first: the FIN may come during this call
            Reader reader = connection.reader();
            int n = reader.len();
            if (n > 0) {
                reader.skip(n);
                connection.writer().writeString("got " + n + "\n");
                connection.writer().flush();
            }
            if (finished) { // the peer is done sending
                connection.writer().writeString("bye\n");
                connection.writer().flush();
                connection.shutdownOutput(); // our FIN after the reply; then it closes
            }
        };
        EventLoop eventLoop = Netpoll.newEventLoop(handler, Option.allowHalfClosure(true), Option.pollerGroup(group));
        // [/guide:half-closure]
        return eventLoop;
    }

    @Test
    void aClientThatHalfClosesGetsTheLastWords() throws Exception {
        EventLoop loop = halfClosingServer(group);
        try (Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0")) {
            loop.serveAsync(listener);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", listener.port()), 5_000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(all).isEqualTo("got 5\nbye\n");
            }
        } finally {
            loop.shutdown(Duration.ofSeconds(2));
        }
    }
}
