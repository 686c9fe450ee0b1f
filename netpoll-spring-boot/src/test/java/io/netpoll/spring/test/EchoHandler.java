package io.netpoll.spring.test;

import io.netpoll.Connection;
import io.netpoll.OnRequest;
import io.netpoll.buffer.Reader;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test handler: echoes every message. A message that starts with {@code '!'} fails the
 * handler; one that starts with {@code 'S'} (slow) waits for {@link #release} first, so a test
 * can hold a request in flight.
 */
public class EchoHandler implements OnRequest {

    public final CountDownLatch slowStarted = new CountDownLatch(1);

    public final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void onRequest(Object context, Connection connection) throws Exception {
        Reader reader = connection.reader();
        int n = reader.len();
        if (n == 0) {
            return;
        }
        byte[] bytes = reader.readBinary(n);
        if (bytes[0] == '!') {
            throw new IllegalStateException("asked to fail");
        }
        if (bytes[0] == 'S') {
            this.slowStarted.countDown();
            if (!this.release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        }
        connection.writer().writeBinary(bytes, 0, bytes.length);
        connection.writer().flush();
    }
}
