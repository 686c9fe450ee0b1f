package io.netpoll.benchmarks;

import io.netpoll.buffer.LinkBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
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
 * Issue 2, benchmark 2: a contiguous read of {@code total} bytes that spans {@code parts}
 * memory nodes.
 *
 * <p>Per operation, on both sides:
 * <ul>
 *   <li>{@code parts} chunks of {@code total / parts} bytes arrive, each in its own pooled
 *       direct block (netpoll: each chunk is written into a separate {@link LinkBuffer} and
 *       {@code append}ed, which moves the node, so the chunks are guaranteed to sit in separate
 *       nodes whatever the writer's node-filling policy; Netty: one pooled buffer per chunk,
 *       {@code addComponent}ed to a long-lived {@link CompositeByteBuf}, Netty's cumulation);</li>
 *   <li>the {@code total} bytes are read as one contiguous block: netpoll {@code next(total)}
 *       copies them into pooled scratch memory; Netty {@code readBytes} copies them into a pooled
 *       direct buffer (a composite cannot hand out one contiguous view of several components
 *       without copying, and {@code nioBuffer()} would copy into a fresh heap buffer);</li>
 *   <li>the view is given to a Blackhole, its first and last 8 bytes are read; then everything is
 *       given back (netpoll {@code release()}; Netty {@code release()} of the copy and
 *       {@code discardReadComponents()}).</li>
 * </ul>
 * Bytes copied per op on both sides: {@code total} in, {@code total} to contiguous memory.
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
@State(Scope.Thread)
public class SpanReadBenchmark {

    @Param({"4096"})
    int total;

    @Param({"2", "8"})
    int parts;

    int chunk;
    byte[] payload;

    @Setup(Level.Trial)
    public void setUp() {
        Baselines.check(total % parts == 0 && total / parts >= 8, "total must split into parts of >= 8 bytes");
        chunk = total / parts;
        payload = Baselines.payload(total);
    }

    /** netpoll side: the read buffer and a helper buffer each chunk is written into before the append. */
    @State(Scope.Thread)
    public static class Netpoll {
        SpanReadBenchmark cfg;
        LinkBuffer in;
        LinkBuffer piece;

        @Setup(Level.Trial)
        public void setUp(SpanReadBenchmark cfg) throws IOException {
            this.cfg = cfg;
            in = new LinkBuffer();
            piece = new LinkBuffer();
            // Self-check once: hands back exactly the bytes written, and ends empty.
            fill();
            Baselines.checkSame(cfg.payload, in.next(cfg.total), "netpoll next(total) across " + cfg.parts + " nodes");
            in.release();
            Baselines.check(in.len() == 0 && in.isEmpty(), "netpoll buffer empty after next+release");
        }

        void fill() throws IOException {
            byte[] p = cfg.payload;
            int c = cfg.chunk;
            int n = cfg.total;
            in.writeBinary(p, 0, c);
            for (int off = c; off < n; off += c) {
                piece.writeBinary(p, off, c);
                in.append(piece);
            }
            in.flush();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            in.close();
            piece.close();
            Baselines.checkNoNetpollLeak("SpanRead");
        }
    }

    /** Netty side: a long-lived composite (Netty's cumulation) on the pooled direct allocator. */
    @State(Scope.Thread)
    public static class Netty {
        SpanReadBenchmark cfg;
        PooledByteBufAllocator alloc;
        CompositeByteBuf composite;

        @Setup(Level.Trial)
        public void setUp(SpanReadBenchmark cfg) {
            this.cfg = cfg;
            alloc = Baselines.nettyAllocator();
            composite = alloc.compositeDirectBuffer(Math.max(16, cfg.parts * 2));
            fill();
            Baselines.check(composite.numComponents() == cfg.parts, "netty composite has one component per chunk");
            ByteBuf dst = alloc.directBuffer(cfg.total);
            composite.readBytes(dst, cfg.total);
            Baselines.checkSame(cfg.payload, dst, "netty composite readBytes(total)");
            dst.release();
            composite.discardReadComponents();
            Baselines.check(composite.numComponents() == 0, "netty composite empty after discardReadComponents");
        }

        void fill() {
            byte[] p = cfg.payload;
            int c = cfg.chunk;
            int n = cfg.total;
            for (int off = 0; off < n; off += c) {
                ByteBuf b = alloc.directBuffer(c);
                b.writeBytes(p, off, c);
                composite.addComponent(true, b);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            composite.release();
        }
    }

    @Benchmark
    public void netpoll(Netpoll st, Blackhole bh) throws IOException {
        st.fill();
        int n = total;
        ByteBuffer v = st.in.next(n);
        bh.consume(v);
        int p = v.position();
        bh.consume(v.getLong(p) ^ v.getLong(p + n - 8));
        st.in.release();
    }

    @Benchmark
    public void netty(Netty st, Blackhole bh) {
        st.fill();
        int n = total;
        ByteBuf v = st.alloc.directBuffer(n);
        st.composite.readBytes(v, n);
        bh.consume(v);
        int p = v.readerIndex();
        bh.consume(v.getLong(p) ^ v.getLong(p + n - 8));
        v.release();
        st.composite.discardReadComponents();
    }
}
