package io.netpoll.benchmarks;

import io.netpoll.Dialer;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.PollerGroup;
import io.netpoll.pool.ConnectionPool;
import io.netpoll.pool.PooledConnection;
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
 * Issue 14: the cost of {@code ConnectionPool.acquire} + {@code release} of an idle loopback
 * connection (no I/O: the validation reads the connection's state only). Run with
 * {@code -prof gc}: the goal is {@code gc.alloc.rate.norm} = 0 B/op. With 4 threads on a pool
 * of 4 connections, the per-address lock is contended.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Dnetpoll.leakDetection.level=disabled"})
@State(Scope.Benchmark)
public class PoolAcquireReleaseBenchmark {
    PollerGroup group;
    EventLoop loop;
    Listener listener;
    ConnectionPool pool;
    String address;

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
        address = "127.0.0.1:" + listener.port();
        Dialer dialer = Netpoll.newDialer(Option.pollerGroup(group));
        pool = ConnectionPool.builder(dialer)
                .maxConnections(4)
                .acquireTimeout(Duration.ofSeconds(10))
                .build();
        // Open the 4 connections once, so the measurement sees idle ones only.
        PooledConnection[] warm = new PooledConnection[4];
        for (int i = 0; i < warm.length; i++) {
            warm[i] = pool.acquire(address);
        }
        for (PooledConnection p : warm) {
            p.release();
        }
        Baselines.check(pool.stats().idle() == 4, "4 idle connections");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Baselines.check(pool.stats().created() == 4, "no connection was opened during the run");
        pool.close();
        loop.shutdown(Duration.ofSeconds(1));
        group.close();
    }

    @Benchmark
    @Threads(1)
    public PooledConnection acquireRelease1() throws IOException {
        PooledConnection p = pool.acquire(address);
        p.release();
        return p;
    }

    @Benchmark
    @Threads(4)
    public PooledConnection acquireRelease4() throws IOException {
        PooledConnection p = pool.acquire(address);
        p.release();
        return p;
    }
}
