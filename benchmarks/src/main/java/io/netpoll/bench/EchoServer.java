package io.netpoll.bench;

import io.netpoll.Connection;
import io.netpoll.EventLoop;
import io.netpoll.HandlerMode;
import io.netpoll.Listener;
import io.netpoll.NetStats;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.buffer.Reader;
import io.netpoll.tls.TlsConfig;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The echo server for {@code ../shared/bench}: one poller on 127.0.0.1:PORT, in the foreground.
 * The handler takes what is readable and writes it back (zero-copy: {@code append(reader, n)}, i.e. slice and append in one step, then flush).
 *
 * <p>{@code NETPOLL_MODE}: unset runs the library's default handler mode ({@link HandlerMode#ADAPTIVE});
 * {@code adaptive}, {@code inline} (handler on the poller, as Netty does) or {@code worker}
 * (handler on the worker pool, as Go netpoll does) choose one.
 *
 * <p>A blocking mix, for p99 of the requests that do not block: {@code NETPOLL_BLOCK_MS} (default 5) is
 * how long a blocking request sleeps in the handler. {@code NETPOLL_BLOCK_PORT=P} also listens on
 * P (same poller), where every request blocks: point a second echoload with 10% of the
 * connections at it, and read the p99 of the first. {@code NETPOLL_BLOCK_PERCENT=10} instead makes
 * that share of the requests on PORT block, chosen at random.
 *
 * <p>TLS: {@code NETPOLL_TLS_CERT} and {@code NETPOLL_TLS_KEY} naming PEM files (a certificate
 * chain and an unencrypted PKCS#8 RSA or EC key, see {@link PemTls}) make every listener serve
 * TLS (1.3 and 1.2, the JDK's provider), in every mode.
 */
public final class EchoServer {
    private EchoServer() {}

    static void echo(Object ctx, Connection c) throws IOException {
        Reader r = c.reader();
        int n = r.len();
        if (n > 0) {
            c.writer().append(r, n);
            c.writer().flush();
        }
    }

    static void sleep(long millis) throws InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: echo-server PORT");
            System.exit(64);
        }
        String mode = System.getenv().getOrDefault("NETPOLL_MODE", "");
        long blockMs = Long.parseLong(System.getenv().getOrDefault("NETPOLL_BLOCK_MS", "5"));
        int blockPercent = Integer.parseInt(System.getenv().getOrDefault("NETPOLL_BLOCK_PERCENT", "0"));
        String blockPort = System.getenv().getOrDefault("NETPOLL_BLOCK_PORT", "");
        PollerGroup group = PollerGroup.create(1);
        List<Option> options = new ArrayList<>(List.of(Option.pollerGroup(group)));
        if (!mode.isEmpty()) {
            options.add(Option.handlerMode(HandlerMode.valueOf(mode.toUpperCase(Locale.ROOT))));
        }
        String tlsCert = System.getenv().getOrDefault("NETPOLL_TLS_CERT", "");
        String tlsKey = System.getenv().getOrDefault("NETPOLL_TLS_KEY", "");
        if (tlsCert.isEmpty() != tlsKey.isEmpty()) {
            System.err.println("set both NETPOLL_TLS_CERT and NETPOLL_TLS_KEY, or neither");
            System.exit(64);
        }
        if (!tlsCert.isEmpty()) {
            try {
                String provider = System.getenv().getOrDefault("NETPOLL_TLS_PROVIDER", "jdk");
                TlsConfig.ServerBuilder tls = provider.equals("openssl")
                        ? TlsConfig.server(OpenSslEngines.server(Path.of(tlsCert), Path.of(tlsKey)))
                        : TlsConfig.server(PemTls.serverContext(Path.of(tlsCert), Path.of(tlsKey)));
                options.add(Option.tls(tls.build()));
            } catch (GeneralSecurityException e) {
                System.err.println("cannot load the TLS key material: " + e.getMessage());
                System.exit(65);
            }
        }
        Option[] opts = options.toArray(new Option[0]);
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:" + Integer.parseInt(args[0]));
        EventLoop loop = Netpoll.newEventLoop(
                blockPercent <= 0
                        ? EchoServer::echo
                        : (ctx, c) -> {
                            if (ThreadLocalRandom.current().nextInt(100) < blockPercent) {
                                sleep(blockMs);
                            }
                            echo(ctx, c);
                        },
                opts);
        EventLoop blocking = null;
        if (!blockPort.isEmpty()) {
            Listener blockListener = Netpoll.createListener("tcp", "127.0.0.1:" + Integer.parseInt(blockPort));
            EventLoop b = Netpoll.newEventLoop(
                    (ctx, c) -> {
                        sleep(blockMs);
                        echo(ctx, c);
                    },
                    opts);
            Thread t = new Thread(
                    () -> {
                        try {
                            b.serve(blockListener);
                        } catch (IOException | IllegalStateException e) {
                            // shut down
                        }
                    },
                    "block-port");
            t.start();
            blocking = b;
        }
        EventLoop serving = loop;
        EventLoop servingBlocking = blocking;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // What the run cost the execution model (read after a benchmark: retakes and offloads
            // of a handler that never blocks are wake-ups the echo did not need).
            NetStats s = serving.stats();
            System.err.println("netpoll-java echo server stats: requests=" + s.requestsTotal() + " offloaded="
                    + s.handlersOffloaded() + " readmitted=" + s.handlersReadmitted() + " roleHandOffs="
                    + group.stats().roleHandOffs());
            serving.shutdown(Duration.ofSeconds(1));
            if (servingBlocking != null) {
                servingBlocking.shutdown(Duration.ofSeconds(1));
            }
            group.close();
        }));
        System.err.println("netpoll-java echo server on 127.0.0.1:" + listener.port() + " ("
                + (mode.isEmpty() ? "default: adaptive" : mode) + (tlsCert.isEmpty() ? "" : ", TLS")
                + (blockPercent > 0 ? ", " + blockPercent + "% of requests sleep " + blockMs + " ms" : "")
                + (blocking != null ? ", every request on port " + blockPort + " sleeps " + blockMs + " ms" : "")
                + ", spin before block " + group.spinBeforeBlock().toNanos() / 1000 + " us)");
        loop.serve(listener);
    }
}
