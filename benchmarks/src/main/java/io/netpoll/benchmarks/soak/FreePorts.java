package io.netpoll.benchmarks.soak;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints N distinct TCP ports that are free on 127.0.0.1 right now, for the soak script to give
 * the application (never its default ports, so a soak can run beside another copy). They are
 * bound together, then released; another process could take one in between, in which case the
 * application fails to start and the script says so.
 */
public final class FreePorts {

    private FreePorts() {}

    public static void main(String[] args) throws IOException {
        int n = args.length == 0 ? 1 : Integer.parseInt(args[0]);
        if (n < 1 || n > 64) {
            System.err.println("usage: FreePorts [N], 1 <= N <= 64");
            System.exit(64);
        }
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                out.append(i == 0 ? "" : " ").append(s.getLocalPort());
            }
            System.out.println(out);
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
