package io.netpoll.sample.proxy;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.OnConnect;
import io.netpoll.OnRequest;
import io.netpoll.buffer.Reader;
import io.netpoll.sample.SampleProperties;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServers;
import org.springframework.beans.factory.ObjectProvider;

import java.io.IOException;

/**
 * A TCP proxy: each client connection gets its own upstream connection, made with the
 * starter's {@link Dialer} (by default to the kv server). Bytes move both ways without being
 * copied: what arrived moves from the input to the other side's output with
 * {@code append(reader, n)} (a slice and an append in one step: memory nodes move, not bytes).
 * When either side closes (or resets), the other is closed at once, even while a handler is
 * blocked forwarding to it ({@link Connection#addClosingCallback}: the close wakes that flush);
 * a forward that races with the other side's close closes this side quietly (it is a normal end
 * of a proxied session, not a handler error).
 *
 * <p>Half-closure ({@link ProxyConfiguration}): a side's FIN is forwarded to the other side
 * ({@code shutdownOutput}, after the bytes before it) while the other direction goes on, so a
 * client that sends its commands and half-closes still gets the replies; when both directions
 * are done, both connections close.
 *
 * <p>Bad upstreams (see {@code sample.proxy.*}): the dial is bounded by the connect timeout; an
 * upstream silent both ways for the idle timeout is closed; a forward to a side that does not
 * read waits at most the write timeout, then closes the session. Memory per session is bounded
 * by the two connections' input limits ({@code netpoll.servers.proxy.connection.max-input-buffer}
 * and {@code netpoll.dialer.connection.max-input-buffer}, 1 MB in application.properties): the
 * poller stops reading a side whose forward is stuck, and a flush sends everything it was given
 * before returning, so at most about two limits per direction are held.
 *
 * <p>Threading: the client's handler is the only writer of the upstream connection and the
 * upstream's handler the only writer of the client connection, so each writer has one thread.
 */
@NetpollHandler("proxy")
public class ProxyHandler implements OnRequest<Connection>, OnConnect<Connection> {

    private final Dialer dialer;
    private final SampleProperties.Proxy settings;
    private final ObjectProvider<NetpollServers> servers;

    public ProxyHandler(Dialer dialer, SampleProperties properties, ObjectProvider<NetpollServers> servers) {
        this.dialer = dialer;
        this.settings = properties.getProxy();
        this.servers = servers;
    }

    /**
     * Connects upstream; runs on a worker (it may block), before the first {@link #onRequest}.
     * The upstream connection becomes the client connection's context.
     */
    @Override
    public Connection onConnect(Connection none, Connection client) throws Exception {
        // A dial that hangs (SYN dropped, a full backlog) ends after the connect timeout; the
        // exception closes the client connection.
        Connection upstream = dialer.dialConnection(
                "tcp", settings.getUpstreamHost() + ":" + upstreamPort(), settings.getConnectTimeout());
        // Close each side with the other first, so that nothing below can leave a half session.
        // At once, not after the handler: a handler blocked in a flush to the other side is woken.
        upstream.addClosingCallback(c -> client.close());
        client.addClosingCallback(c -> upstream.close());
        // A blackhole upstream (accepts, never answers) is closed when idle; a side that does not
        // read fails the forward's flush after the write timeout, which closes the session.
        upstream.setIdleTimeout(settings.getIdleTimeout());
        upstream.setWriteTimeout(settings.getWriteTimeout());
        client.setWriteTimeout(settings.getWriteTimeout());
        upstream.setOnRequest((ctx, up) -> forward(up, client));
        return upstream;
    }

    @Override
    public void onRequest(Connection upstream, Connection client) throws Exception {
        forward(client, upstream);
    }

    private static void forward(Connection from, Connection to) throws Exception {
        // Read first: a FIN that arrives during this call is forwarded by the call made for it.
        boolean finished = from.isInputShutdown();
        Reader in = from.reader();
        int n = in.len();
        try {
            if (n > 0) {
                to.writer().append(in, n);
                to.writer().flush();
            }
            if (finished && !to.isOutputShutdown()) {
                // The sender is done: pass its FIN on after its bytes; the other direction goes on.
                to.shutdownOutput();
            }
        } catch (RuntimeException | IOException e) {
            if (to.isActive()) {
                throw e;
            }
            from.close();
        }
    }

    private int upstreamPort() {
        if (settings.getUpstreamPort() > 0) {
            return settings.getUpstreamPort();
        }
        NetpollServers all = servers.getIfAvailable();
        NetpollServer kv = all == null ? null : all.get("kv");
        if (kv == null || kv.getPort() <= 0) {
            throw new IllegalStateException("sample.proxy.upstream-port is not set and the kv server is not listening");
        }
        return kv.getPort();
    }
}
