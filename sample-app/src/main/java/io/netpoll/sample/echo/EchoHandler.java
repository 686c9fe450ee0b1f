package io.netpoll.sample.echo;

import io.netpoll.Connection;
import io.netpoll.OnRequest;
import io.netpoll.buffer.Reader;
import io.netpoll.spring.annotation.NetpollHandler;

/**
 * The seed's echo server, done right: writes back what arrived without copying it (the input's
 * memory nodes move to the output with {@code append(reader, n)}, slice and append in one step),
 * and consumes everything it
 * was given, so it never spins.
 */
@NetpollHandler("echo")
public class EchoHandler implements OnRequest {

    @Override
    public void onRequest(Object context, Connection connection) throws Exception {
        Reader reader = connection.reader();
        int n = reader.len();
        if (n == 0) {
            return;
        }
        connection.writer().append(reader, n);
        connection.writer().flush();
    }
}
