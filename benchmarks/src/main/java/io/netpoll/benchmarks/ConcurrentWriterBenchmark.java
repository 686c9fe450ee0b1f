package io.netpoll.benchmarks;

import io.netpoll.Connection;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.WriteAction;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.mux.ShardQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Issue 14: many threads sending whole 128-byte messages on one loopback connection, through
 * {@code connection.send(action)} (a per-connection lock: each sender writes and flushes its own
 * message) or through {@link ShardQueue} (lock-free queue, the CAS winner flushes everything
 * queued in one gathering write), with 1, 4 and 16 threads. The server discards (inline handler).
 * Throughput in messages per microsecond, summed over the threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Dnetpoll.leakDetection.level=disabled"})
@State(Scope.Benchmark)
public class ConcurrentWriterBenchmark {
    static final int SIZE = 128;

    PollerGroup group;
    EventLoop loop;
    Listener listener;
    Connection connection;
    ShardQueue queue;
    final byte[] payload = Baselines.payload(SIZE);
    /** One instance: the send itself allocates nothing for the lambda. */
    final WriteAction write = w -> w.writeBinary(payload);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        group = PollerGroup.create(1);
        listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        loop = Netpoll.newEventLoop(
                (ctx, c) -> c.reader().skip(c.reader().len()), Option.pollerGroup(group), Option.inlineHandlers());
        CompletableFuture.runAsync(() -> {
            try {
                loop.serve(listener);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        connection = Netpoll.newDialer(Option.pollerGroup(group), Option.writeTimeout(Duration.ofSeconds(30)))
                .dialConnection("tcp", "127.0.0.1:" + listener.port());
        queue = new ShardQueue(connection);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Baselines.check(connection.isActive(), "the connection survived the run");
        connection.close();
        loop.shutdown(Duration.ofSeconds(1));
        group.close();
    }

    private void viaSend() throws IOException {
        connection.send(write);
    }

    private void viaQueue() throws IOException {
        LinkBuffer m = new LinkBuffer(BufferPool.defaultPool(), 256);
        m.writeBinary(payload);
        queue.add(m);
    }

    @Benchmark
    @Threads(1)
    public void send1() throws IOException {
        viaSend();
    }

    @Benchmark
    @Threads(4)
    public void send4() throws IOException {
        viaSend();
    }

    @Benchmark
    @Threads(16)
    public void send16() throws IOException {
        viaSend();
    }

    @Benchmark
    @Threads(1)
    public void shardQueue1() throws IOException {
        viaQueue();
    }

    @Benchmark
    @Threads(4)
    public void shardQueue4() throws IOException {
        viaQueue();
    }

    @Benchmark
    @Threads(16)
    public void shardQueue16() throws IOException {
        viaQueue();
    }
}
