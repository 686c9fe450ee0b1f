package io.netpoll.sample.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Shared by the bad-upstream proxy tests (which set 500 ms proxy timeouts): a bound and a client socket. */
final class ProxyBadUpstreamSupport {

    /** Every scenario must end a client's session well within this. */
    static final Duration BOUND = Duration.ofSeconds(10);

    private ProxyBadUpstreamSupport() {}

    static Socket client(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout((int) BOUND.toMillis() * 2); // a hang fails the read instead of the whole run
        return s;
    }
}
