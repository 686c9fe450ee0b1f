package io.netpoll;

import io.netpoll.testing.TestNet;
import io.netpoll.testing.TestNet.Server;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;

import static io.netpoll.testing.TestNet.readFully;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hot path (poll, read, dispatch, handler, flush) allocates nothing per request in steady
 * state: measured with the JVM's per-thread allocation counters on netpoll's threads.
 */
class AllocationTests {
    @RegisterExtension
    final TestNet net = TestNet.create();

    /** Echo without slices: a view of the input, copied into the output. */
    private static void copyEcho(Object ctx, Connection c) throws java.io.IOException {
        int n = c.reader().len();
        ByteBuffer view = c.reader().next(n);
        c.writer().writeBinary(view);
        c.writer().flush();
    }

    /** Echo without copies: the input's nodes move to the output. */
    private static void zeroCopyEcho(Object ctx, Connection c) throws java.io.IOException {
        c.writer().append(c.reader(), c.reader().len());
        c.writer().flush();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"adaptive", "inline", "worker", "adaptive zero-copy", "inline zero-copy", "worker zero-copy"})
    void steadyStateEchoAllocatesNothingPerRequest(String mode) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // The default pool tracks every node in tests (paranoid leak detection), which allocates.
        io.netpoll.buffer.BufferPool pool =
                io.netpoll.buffer.BufferPool.create(64 << 20, io.netpoll.buffer.LeakDetection.DISABLED, leak -> {});
        OnRequest echo = mode.endsWith("zero-copy") ? AllocationTests::zeroCopyEcho : AllocationTests::copyEcho;
        HandlerMode handlerMode = HandlerMode.valueOf(mode.split(" ")[0].toUpperCase(java.util.Locale.ROOT));
        Server server = net.startServer(echo, Option.handlerMode(handlerMode), Option.bufferPool(pool));
        Socket s = net.socket(server.port());
        byte[] msg = new byte[256];
        for (int i = 0; i < 20_000; i++) { // warm-up: JIT, pools, LongAdder cells, thread-locals
            s.getOutputStream().write(msg);
            readFully(s.getInputStream(), msg.length);
        }
        long before = allocatedByNetpollThreads(mx);
        int requests = 20_000;
        for (int i = 0; i < requests; i++) {
            s.getOutputStream().write(msg);
            readFully(s.getInputStream(), msg.length);
        }
        long perRequest = (allocatedByNetpollThreads(mx) - before) / requests;
        // Not exactly 0: an occasional selector or JIT-related allocation is amortised here.
        assertThat(perRequest)
                .as("bytes allocated per request on poller and worker threads (" + mode + ")")
                .isLessThan(8);
        s.close();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> pool.stats().outstandingNodes() == 0);
    }

    static long allocatedByNetpollThreads(com.sun.management.ThreadMXBean mx) {
        long total = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("netpoll-")) {
                @SuppressWarnings("deprecation")
                long bytes = mx.getThreadAllocatedBytes(t.getId());
                if (bytes > 0) {
                    total += bytes;
                }
            }
        }
        return total;
    }
}
