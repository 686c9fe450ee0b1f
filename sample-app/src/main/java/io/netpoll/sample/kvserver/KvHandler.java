package io.netpoll.sample.kvserver;

import io.netpoll.Connection;
import io.netpoll.OnPrepare;
import io.netpoll.OnRequest;
import io.netpoll.buffer.Writer;
import io.netpoll.sample.kv.CommandExecutor;
import io.netpoll.sample.kv.RespLimits;
import io.netpoll.sample.kv.RespSession;
import io.netpoll.spring.annotation.NetpollHandler;

/**
 * The key-value server's netpoll handler: one {@link RespSession} per connection (made in
 * {@link #prepare}, on the accepting poller: it only allocates), fed whatever has arrived.
 * The session never waits for input, so a slow or hostile client holds no worker thread.
 */
@NetpollHandler("kv")
public class KvHandler implements OnRequest<RespSession>, OnPrepare<RespSession> {

    private final CommandExecutor executor;
    private final RespLimits limits;

    public KvHandler(CommandExecutor executor, RespLimits limits) {
        this.executor = executor;
        this.limits = limits;
    }

    @Override
    public RespSession prepare(Connection connection) {
        return new RespSession(executor, limits);
    }

    @Override
    public void onRequest(RespSession session, Connection connection) throws Exception {
        Writer out = connection.writer();
        boolean keep = session.process(connection.reader(), out);
        if (out.mallocLen() > 0) {
            out.flush();
        }
        if (!keep) {
            connection.close();
        }
    }
}
