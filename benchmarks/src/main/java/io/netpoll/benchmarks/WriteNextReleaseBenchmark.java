package io.netpoll.benchmarks;

import io.netpoll.buffer.LinkBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Issue 2, benchmark 1: write 1 KiB, flush, take it back with {@code next(1 KiB)}, release.
 *
 * <p>The same logical work on both sides, per operation:
 * <ul>
 *   <li>one pooled block of direct memory is taken and given back (netpoll: the buffer is empty
 *       after {@code release()}, so it returns its node to the pool, as an idle connection must;
 *       Netty: {@code directBuffer(4096)} and {@code release()}, 4096 being netpoll's default
 *       node size);</li>
 *   <li>1 KiB is copied in from a {@code byte[]} ({@code writeBinary} / {@code writeBytes});</li>
 *   <li>a zero-copy view of the 1 KiB is taken ({@code next} / {@code readRetainedSlice}, the
 *       Netty read that does not allocate a wrapper), handed to a Blackhole, and two longs are
 *       read through it (first and last 8 bytes).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 2,
        jvmArgsAppend = {
            "-Dio.netty.leakDetection.level=disabled",
            "-Dnetpoll.leakDetection.level=disabled",
            "-Djmh.executor=CUSTOM",
            "-Djmh.executor.class=io.netpoll.benchmarks.NettyEventLoopLikeExecutor"
        })
public class WriteNextReleaseBenchmark {

    static final int SIZE = 1024;
    static final int NETTY_CAPACITY = LinkBuffer.DEFAULT_NODE_SIZE;

    /** netpoll side: one long-lived standalone buffer on the default pool, default node size. */
    @State(Scope.Thread)
    public static class Netpoll {
        byte[] payload;
        LinkBuffer buf;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            payload = Baselines.payload(SIZE);
            buf = new LinkBuffer();
            // Self-check once: hands back exactly the bytes written, and ends empty.
            buf.writeBinary(payload);
            buf.flush();
            Baselines.checkSame(payload, buf.next(SIZE), "netpoll next(1 KiB)");
            buf.release();
            Baselines.check(buf.len() == 0 && buf.isEmpty(), "netpoll buffer empty after next+release");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            buf.close();
            Baselines.checkNoNetpollLeak("WriteNextRelease");
        }
    }

    /** Netty side: the pooled direct allocator (see {@link Baselines#nettyAllocator()}). */
    @State(Scope.Thread)
    public static class Netty {
        byte[] payload;
        PooledByteBufAllocator alloc;

        @Setup(Level.Trial)
        public void setUp() {
            payload = Baselines.payload(SIZE);
            alloc = Baselines.nettyAllocator();
            ByteBuf b = alloc.directBuffer(NETTY_CAPACITY);
            b.writeBytes(payload);
            ByteBuf s = b.readRetainedSlice(SIZE);
            Baselines.checkSame(payload, s, "netty readRetainedSlice(1 KiB)");
            s.release();
            b.release();
            Baselines.check(b.refCnt() == 0, "netty buffer released");
        }
    }

    @Benchmark
    public void netpoll(Netpoll st, Blackhole bh) throws IOException {
        LinkBuffer b = st.buf;
        b.writeBinary(st.payload);
        b.flush();
        ByteBuffer v = b.next(SIZE);
        bh.consume(v);
        int p = v.position();
        bh.consume(v.getLong(p) ^ v.getLong(p + SIZE - 8));
        b.release();
    }

    @Benchmark
    public void netty(Netty st, Blackhole bh) {
        ByteBuf b = st.alloc.directBuffer(NETTY_CAPACITY);
        b.writeBytes(st.payload);
        ByteBuf v = b.readRetainedSlice(SIZE);
        bh.consume(v);
        int p = v.readerIndex();
        bh.consume(v.getLong(p) ^ v.getLong(p + SIZE - 8));
        v.release();
        b.release();
    }
}
