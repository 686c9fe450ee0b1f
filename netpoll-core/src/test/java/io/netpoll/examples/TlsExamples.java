package io.netpoll.examples;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.DialerConfig;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.OnRequest;
import io.netpoll.PollerGroup;
import io.netpoll.ServerConfig;
import io.netpoll.tls.ClientAuth;
import io.netpoll.tls.TlsConfig;
import io.netpoll.tls.TlsSessionInfo;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.time.Duration;

/** docs/guide.md's TLS snippet, compiled and run by {@code TlsExamplesTests}. */
public final class TlsExamples {
    private TlsExamples() {}

    /** Serves {@code handler} over TLS on {@code listener}, dials it over TLS, returns the dialed session. */
    public static TlsSessionInfo serveAndDial(
            OnRequest<?> handler, SSLContext ctx, SSLContext trustingCtx, Listener listener, PollerGroup group)
            throws IOException {
        // [guide:tls]
        EventLoop loop = Netpoll.newEventLoop(
                handler,
                ServerConfig.builder()
                        .tls(TlsConfig.server(ctx) // key material: a KeyManagerFactory, an SslBundle, ...
                                .applicationProtocols("h2", "http/1.1") // ALPN, our preference first
                                .clientAuth(ClientAuth.NONE) // WANT / NEED for mutual TLS
                                .handshakeTimeout(Duration.ofSeconds(10)) // the default
                                .build())
                        .pollerGroup(group)
                        .build());
        loop.serveAsync(listener);

        Dialer dialer = Netpoll.newDialer(DialerConfig.builder()
                .tls(TlsConfig.client(trustingCtx).build()) // host name verification is on
                .pollerGroup(group)
                .build());
        TlsSessionInfo session;
        try (Connection c = dialer.dialConnection("tcp", "localhost:" + listener.port(), Duration.ofSeconds(2))) {
            session = c.tlsSession(); // protocol, cipher suite, certificates, ALPN
        }
        // [/guide:tls]
        loop.shutdown(Duration.ofSeconds(2));
        return session;
    }
}
