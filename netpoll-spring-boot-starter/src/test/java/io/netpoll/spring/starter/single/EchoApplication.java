package io.netpoll.spring.starter.single;

import io.netpoll.Connection;
import io.netpoll.OnRequest;
import io.netpoll.spring.annotation.NetpollHandler;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A user application: one handler, everything else from the starter.
 */
@SpringBootApplication
public class EchoApplication {

    /**
     * Echoes what it reads; a message starting with 'S' waits for {@link #release} first.
     */
    @NetpollHandler
    public static class Echo implements OnRequest {

        public final CountDownLatch slowStarted = new CountDownLatch(1);

        public final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void onRequest(Object context, Connection connection) throws Exception {
            int n = connection.reader().len();
            byte[] bytes = connection.reader().readBinary(n);
            if (bytes[0] == 'S') {
                this.slowStarted.countDown();
                this.release.await(30, TimeUnit.SECONDS);
            }
            connection.writer().writeBinary(bytes, 0, bytes.length);
            connection.writer().flush();
        }
    }
}
