package io.netpoll.examples;

import io.netpoll.Connection;
import io.netpoll.codec.LineFrameDecoder;
import io.netpoll.pool.ConnectionPool;
import io.netpoll.pool.PooledConnection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The guide's client bean: one request line, one reply line, over pooled connections. */
// [guide:pool-client]
public final class LineClient {
    private final ConnectionPool pool; // the starter's bean, or ConnectionPool.builder(dialer).build()
    private final String address; // "host:port"

    public LineClient(ConnectionPool pool, String address) {
        this.pool = pool;
        this.address = address;
    }

    public String call(String command) throws IOException {
        PooledConnection lease = pool.acquire(address);
        try (LineFrameDecoder lines = new LineFrameDecoder(64 * 1024)) {
            Connection c = lease.connection();
            c.writer().writeString(command + "\n");
            c.writer().flush();
            String reply =
                    StandardCharsets.UTF_8.decode(lines.nextFrame(c.reader())).toString();
            c.reader().release();
            lease.release(); // back to the pool for the next call
            return reply;
        } catch (IOException | RuntimeException e) {
            lease.discard(); // the stream's state is unknown after a failed exchange: close it
            throw e;
        }
    }
}
// [/guide:pool-client]
