package io.netpoll.benchmarks;

import io.netpoll.buffer.BufferPool;
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
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Issue 2, benchmark 3: slice 64 KiB out of one buffer and append it to another, zero-copy, then
 * consume and release it. This is the "take a frame off the input, hand it to the output" path.
 *
 * <p>Per operation, on both sides:
 * <ul>
 *   <li>64 KiB arrive in {@code chunks} pooled direct blocks of {@code 64 KiB / chunks} (netpoll:
 *       {@code malloc(chunk)} on a buffer with 4 KiB nodes, then {@code flush()}; Netty: pooled
 *       {@code directBuffer(chunk)} with the writer index set, {@code addComponent}ed to a
 *       long-lived input {@link CompositeByteBuf}). The bytes are reserved, not filled: as after a
 *       socket read, no byte is copied by the code under test, so only the zero-copy machinery is
 *       measured;</li>
 *   <li>slice: netpoll {@code in.slice(64 KiB)} (which also releases {@code in}); Netty
 *       {@code in.readRetainedSlice(64 KiB)};</li>
 *   <li>append: netpoll {@code out.append(slice)} + {@code out.flush()}; Netty
 *       {@code out.addComponent(true, slice)} on a long-lived output composite;</li>
 *   <li>consume: one byte is read, the other 65,535 are skipped, and everything is given back
 *       (netpoll {@code out.release()}; Netty {@code out.discardReadComponents()} then
 *       {@code in.discardReadComponents()}: Netty must not discard the input's components while a
 *       retained slice of it is alive, which is why Netty's own decoders only discard when the
 *       cumulation's refCnt is 1).</li>
 * </ul>
 * {@code netpollAppendReader} does the same with {@code out.append(in, 64 KiB)}, netpoll-java's
 * one-step form of slice + append, which creates no slice object.
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
public class SliceAppendBenchmark {

    static final int SIZE = 64 * 1024;
    static final int NODE_SIZE = 4096;

    @Param({"1", "16"})
    int chunks;

    int chunk;
    byte[] payload;

    @Setup(Level.Trial)
    public void setUp() {
        Baselines.check(SIZE % chunks == 0, "64 KiB must split into chunks");
        chunk = SIZE / chunks;
        payload = Baselines.payload(SIZE);
    }

    /** netpoll side: input and output buffers on the default pool, 4 KiB nodes. */
    @State(Scope.Thread)
    public static class Netpoll {
        LinkBuffer in;
        LinkBuffer out;

        @Setup(Level.Trial)
        public void setUp(SliceAppendBenchmark cfg) throws IOException {
            in = new LinkBuffer(BufferPool.defaultPool(), NODE_SIZE);
            out = new LinkBuffer(BufferPool.defaultPool(), NODE_SIZE);
            // Self-check once, with real bytes: the slice appended to the output reads back the input.
            for (int off = 0; off < SIZE; off += cfg.chunk) {
                in.malloc(cfg.chunk).put(cfg.payload, off, cfg.chunk);
            }
            in.flush();
            LinkBuffer s = in.slice(SIZE);
            Baselines.check(in.len() == 0, "netpoll input empty after slice(64 KiB)");
            out.append(s);
            out.flush();
            Baselines.check(s.len() == 0, "netpoll slice empty after append");
            Baselines.check(out.len() == SIZE, "netpoll output has 64 KiB after append");
            byte[] got = out.readBinary(SIZE);
            Baselines.check(Arrays.equals(cfg.payload, got), "netpoll slice+append kept the bytes");
            out.release();
            s.close();
            Baselines.check(in.isEmpty() && out.isEmpty(), "netpoll buffers empty");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            in.close();
            out.close();
            Baselines.checkNoNetpollLeak("SliceAppend");
        }
    }

    /** Netty side: long-lived input and output composites on the pooled direct allocator. */
    @State(Scope.Thread)
    public static class Netty {
        PooledByteBufAllocator alloc;
        CompositeByteBuf in;
        CompositeByteBuf out;

        @Setup(Level.Trial)
        public void setUp(SliceAppendBenchmark cfg) {
            alloc = Baselines.nettyAllocator();
            in = alloc.compositeDirectBuffer(64);
            out = alloc.compositeDirectBuffer(64);
            for (int off = 0; off < SIZE; off += cfg.chunk) {
                ByteBuf b = alloc.directBuffer(cfg.chunk);
                b.writeBytes(cfg.payload, off, cfg.chunk);
                in.addComponent(true, b);
            }
            ByteBuf s = in.readRetainedSlice(SIZE);
            out.addComponent(true, s);
            Baselines.checkSame(cfg.payload, out, "netty readRetainedSlice+addComponent kept the bytes");
            out.skipBytes(SIZE);
            out.discardReadComponents();
            in.discardReadComponents();
            Baselines.check(in.numComponents() == 0 && out.numComponents() == 0, "netty composites empty");
            Baselines.check(in.refCnt() == 1, "netty input composite no longer retained by the slice");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            in.release();
            out.release();
        }
    }

    @Benchmark
    public void netpoll(Netpoll st, Blackhole bh) throws IOException {
        arrive(st.in);
        LinkBuffer s = st.in.slice(SIZE);
        st.out.append(s);
        consume(st.out, bh);
    }

    /** The same work with {@code append(reader, n)}: slice and append without the slice object. */
    @Benchmark
    public void netpollAppendReader(Netpoll st, Blackhole bh) throws IOException {
        arrive(st.in);
        st.out.append(st.in, SIZE);
        consume(st.out, bh);
    }

    /** 64 KiB arrive in {@code chunks} reserved blocks, as after a socket read. */
    private void arrive(LinkBuffer in) {
        int c = chunk;
        for (int off = 0; off < SIZE; off += c) {
            in.malloc(c);
        }
        in.flush();
    }

    /** Publishes the appended bytes, reads one, skips the rest and gives everything back. */
    private static void consume(LinkBuffer out, Blackhole bh) {
        out.flush();
        bh.consume(out.readByte());
        out.skip(SIZE - 1);
        out.release();
    }

    @Benchmark
    public void netty(Netty st, Blackhole bh) {
        CompositeByteBuf i = st.in;
        CompositeByteBuf o = st.out;
        int c = chunk;
        for (int off = 0; off < SIZE; off += c) {
            ByteBuf b = st.alloc.directBuffer(c);
            b.writerIndex(c);
            i.addComponent(true, b);
        }
        ByteBuf s = i.readRetainedSlice(SIZE);
        o.addComponent(true, s);
        bh.consume(o.readByte());
        o.skipBytes(SIZE - 1);
        o.discardReadComponents();
        i.discardReadComponents();
    }
}
