package io.netpoll.sample.it;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

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

    /**
     * A loopback upstream that accepts and holds every connection open without reading or writing
     * (a blackhole), on a daemon thread; closing it closes the listener and what it accepted.
     */
    static final class HoldingUpstream implements Closeable {
        private final ServerSocket listener;
        private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();

        /** {@code receiveBufferSize} 0: the OS default; else inherited by the accepted sockets. */
        HoldingUpstream(String threadName, int receiveBufferSize) {
            try {
                listener = new ServerSocket();
                if (receiveBufferSize > 0) {
                    listener.setReceiveBufferSize(receiveBufferSize);
                }
                listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            } catch (IOException e) {
                throw new ExceptionInInitializerError(e);
            }
            Thread t = new Thread(
                    () -> {
                        try {
                            while (true) {
                                accepted.add(listener.accept());
                            }
                        } catch (IOException closed) {
                            // the test class is done
                        }
                    },
                    threadName);
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        /** The accepted sockets, in order. */
        BlockingQueue<Socket> accepted() {
            return accepted;
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
