package io.netpoll.examples;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;

import java.io.IOException;
import java.time.Duration;

/**
 * The seed guide's client, in Java: dial directly and through a reusable {@link Dialer}, then
 * write "hello world" and flush. Start {@link EchoServer} first, then run
 * {@code mvn -pl netpoll-core exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.netpoll.examples.HelloClient}.
 */
public final class HelloClient {
    private HelloClient() {}

    public static void main(String[] args) throws IOException {
        String address = args.length > 0 ? args[0] : "127.0.0.1:8888";
        System.out.println(run(address, Netpoll.defaultGroup()));
    }

    /** Sends "hello world" on two connections and returns what the echo server sent back. */
    public static String run(String address, PollerGroup group) throws IOException {
        // [guide:client]
        String network = "tcp";
        // dial directly
        Connection conn =
                Netpoll.newDialer(Option.pollerGroup(group)).dialConnection(network, address, Duration.ofMillis(50));
        conn.close();

        // dial through a reusable dialer
        Dialer dialer = Netpoll.newDialer(Option.pollerGroup(group));
        conn = dialer.dialConnection(network, address, Duration.ofMillis(50));

        // write & flush
        conn.writer().writeBinary("hello world".getBytes());
        conn.writer().flush();
        // [/guide:client]
        try (Connection c = conn) {
            c.setReadTimeout(Duration.ofSeconds(5));
            return c.reader().readString(11);
        }
    }
}
