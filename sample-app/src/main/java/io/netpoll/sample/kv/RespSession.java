package io.netpoll.sample.kv;

import io.netpoll.buffer.Reader;
import io.netpoll.buffer.Writer;

import java.io.IOException;

/**
 * One client connection of the key-value server: parses what has arrived, executes every
 * complete command in order, and writes the replies. Transport-independent: the netpoll handler
 * calls {@link #process} when data arrives; tests call it on standalone buffers.
 *
 * <p>Not thread-safe: one call at a time (netpoll runs one handler per connection at a time).
 */
public final class RespSession {

    /** Replies are flushed when this many bytes are pending, so a long pipeline holds little output. */
    static final int FLUSH_THRESHOLD = 64 * 1024;

    private final RespParser parser;
    private final CommandExecutor executor;
    private final Request request = new Request(new ClientState());
    private boolean closed;
    private int executed;
    /**
     * Commands between releases of the input. Small: a release also recycles the reader's views
     * (a few are cached per release; one is taken per command), and costs little.
     */
    private static final int RELEASE_EVERY = 16;

    public RespSession(CommandExecutor executor, RespLimits limits) {
        this.executor = executor;
        this.parser = new RespParser(limits);
    }

    public ClientState client() {
        return request.client;
    }

    /**
     * Executes every complete command readable from {@code in}, writing replies to {@code out}.
     * Never waits for input. Replies are written, not necessarily flushed: the caller flushes
     * {@code out} afterwards (this method flushes on its own only past {@link #FLUSH_THRESHOLD}).
     *
     * @return true to keep the connection; false after QUIT or a protocol error (whose error reply
     *         has been written): flush, then close the connection
     */
    public boolean process(Reader in, Writer out) throws IOException {
        if (closed) {
            return false;
        }
        request.out = out;
        int pending = out.mallocLen(); // reply bytes written and not flushed, kept as we go
        while (true) {
            int result = parser.parse(in);
            if (result == RespParser.NEED_MORE) {
                return true;
            }
            if (result == RespParser.ERROR) {
                Resp.error(out, parser.error());
                closed = true;
                return false;
            }
            request.argv = parser.argv();
            request.argc = parser.argc();
            if (CrossProtocolGuard.isAttack(request.argv[0])) {
                // An HTTP request (a browser made to POST here): nothing after it may run.
                CrossProtocolGuard.report();
                closed = true;
                return false;
            }
            request.retained = 0;
            executor.execute(request, pending);
            parser.recycle(request.retained);
            if (++executed % RELEASE_EVERY == 0) {
                in.release(); // in a long pipeline, give back what was read as we go
            }
            if (request.closeAfterReply) {
                closed = true;
                return false;
            }
            pending = out.mallocLen();
            if (pending >= FLUSH_THRESHOLD) {
                out.flush();
                pending = 0;
            }
        }
    }
}
