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

/** Shared by the bad-upstream proxy tests (which set 500 ms proxy timeouts): a bound, a client socket, a fake upstream. */
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
     * (a blackhole), or does what an {@link OnAccept} says first, on a daemon thread; closing it
     * closes the listener and what it accepted.
     */
    static final class HoldingUpstream implements Closeable {
        private final ServerSocket listener;
        private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();

        /** What the upstream does with each socket it accepts, on its acceptor thread, before holding it. */
        interface OnAccept {
            void accepted(Socket socket) throws IOException;
        }

        /** {@code receiveBufferSize} 0: the OS default; else inherited by the accepted sockets. */
        HoldingUpstream(String threadName, int receiveBufferSize) {
            this(threadName, receiveBufferSize, socket -> {});
        }

        /**
         * As {@link #HoldingUpstream(String, int)}, running {@code onAccept} on each accepted
         * socket first (an upstream that answers, then dies, for instance).
         */
        HoldingUpstream(String threadName, int receiveBufferSize, OnAccept onAccept) {
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
                                Socket socket = listener.accept();
                                accepted.add(socket);
                                try {
                                    onAccept.accepted(socket);
                                } catch (IOException peerGone) {
                                    socket.close(); // that connection only; go on accepting
                                }
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
