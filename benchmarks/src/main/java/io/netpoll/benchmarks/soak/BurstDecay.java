package io.netpoll.benchmarks.soak;

import io.netpoll.Connection;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.Option;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.BufferPoolStats;
import io.netpoll.buffer.LinkBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The return to baseline after a burst, in one process: an in-process netpoll echo server with
 * its own {@link BufferPool} (decay on), idle for a while, then a burst of large echo round trips
 * on many connections, then idle again. Every 100 ms it samples this process's RSS
 * ({@code VmRSS} in {@code /proc/self/status}), the heap, and the pool's used and pooled memory,
 * and the JDK's direct buffers (what the garbage collector has not freed yet), into
 * {@code burst-decay.csv}, and draws {@code burst-decay.png} (the soak's {@link RssPlot}).
 *
 * <p>Usage: {@code BurstDecay [out-dir] [decay-seconds] [burst-seconds] [after-seconds]
 * [connections] [message-KiB]} (defaults: {@code .}, 10, 10, 45, 100, 512). Run it with the JVM
 * options the docs give (docs/reliability.md), e.g. {@code -Xmx1g -XX:G1PeriodicGCInterval=5000}:
 * dropped memory is returned when the garbage collector frees its {@code ByteBuffer}s, and an idle
 * JVM collects only with a periodic GC. A command-line program: prints a summary to standard
 * output.
 */
public final class BurstDecay {

    private static final long SAMPLE_MILLIS = 100;
    private static final double IDLE_SECONDS = 5;

    private BurstDecay() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(arg(args, 0, "."));
        long decaySeconds = Long.parseLong(arg(args, 1, "10"));
        double burstSeconds = Double.parseDouble(arg(args, 2, "10"));
        double afterSeconds = Double.parseDouble(arg(args, 3, "45"));
        int connections = Integer.parseInt(arg(args, 4, "100"));
        int messageBytes = Integer.parseInt(arg(args, 5, "512")) * 1024;
        Files.createDirectories(out);

        BufferPool pool =
                BufferPool.builder().decay(Duration.ofSeconds(decaySeconds)).build();
        Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0");
        EventLoop loop = Netpoll.newEventLoop(BurstDecay::echo, Option.bufferPool(pool));
        Thread serving = new Thread(
                () -> {
                    try {
                        loop.serve(listener);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                },
                "burst-decay-serve");
        serving.setDaemon(true);
        serving.start();

        AtomicLong roundTrips = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long loadStart = start + seconds(IDLE_SECONDS);
        long loadEnd = loadStart + seconds(burstSeconds);
        long end = loadEnd + seconds(afterSeconds);
        byte[] message = new byte[messageBytes]; // shared, read-only: the load generator's heap stays small
        for (int i = 0; i < messageBytes; i++) {
            message[i] = (byte) (i * 31 + 7);
        }
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(
                    () -> client(listener.port(), message, loadStart, loadEnd, roundTrips, errors),
                    "burst-client-" + i);
            t.setDaemon(true);
            clients.add(t);
            t.start();
        }

        List<Sample> samples = new ArrayList<>();
        long peakRss = 0;
        long peakBuffers = 0;
        AppProbe self = new AppProbe(ProcessHandle.current().pid(), "127.0.0.1", 1);
        try (SampleCsv csv = new SampleCsv(out.resolve("burst-decay.csv"), List.of("echo"))) {
            long lastOps = 0;
            for (long next = start; next < end; next += SAMPLE_MILLIS * 1_000_000) {
                LockSupport.parkNanos(next - System.nanoTime());
                long now = System.nanoTime();
                long ops = roundTrips.get();
                BufferPoolStats stats = pool.stats();
                MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                String phase = now < loadStart ? "idle" : now < loadEnd ? "load" : "after";
                AppMetrics app = new AppMetrics(
                        heap.getUsed(),
                        heap.getCommitted(),
                        Double.NaN,
                        jdkDirectBytes(),
                        stats.usedBytes(),
                        stats.pooledBytes(),
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Thread.activeCount(),
                        Double.NaN,
                        Double.NaN,
                        Double.NaN);
                Sample s = new Sample(
                        phase,
                        (now - loadStart) / 1e9,
                        new double[] {(ops - lastOps) * 1000.0 / SAMPLE_MILLIS},
                        new long[] {errors.get()},
                        self.rssBytes(),
                        app,
                        AppProbe.loadAverage());
                lastOps = ops;
                samples.add(s);
                csv.write(s);
                peakRss = Math.max(peakRss, s.rssBytes());
                peakBuffers = Math.max(peakBuffers, stats.usedBytes() + stats.pooledBytes());
            }
        }
        for (Thread t : clients) {
            t.join(5_000);
        }
        RssPlot.write(
                out.resolve("burst-decay.png"),
                String.format(
                        Locale.ROOT,
                        "netpoll echo: %d connections x %d KiB burst for %.0f s, decay %d s",
                        connections,
                        messageBytes / 1024,
                        burstSeconds,
                        decaySeconds),
                samples,
                Double.NEGATIVE_INFINITY,
                burstSeconds); // no warm-up marker
        Sample first = samples.get(0);
        Sample lastIdle = samples.stream()
                .filter(s -> s.phase().equals("idle"))
                .reduce((a, b) -> b)
                .orElse(first);
        Sample last = samples.get(samples.size() - 1);
        BufferPoolStats stats = pool.stats();
        System.out.printf(Locale.ROOT, "round trips %d, errors %d%n", roundTrips.get(), errors.get());
        System.out.printf(
                Locale.ROOT,
                "JDK direct buffers MiB: before the burst %.1f, at the end %.1f%n",
                mib((long) lastIdle.app().directBuffers()),
                mib((long) last.app().directBuffers()));
        System.out.printf(
                Locale.ROOT,
                "RSS MiB: before the burst %.1f, peak %.1f, at the end %.1f%n",
                mib(lastIdle.rssBytes()),
                mib(peakRss),
                mib(last.rssBytes()));
        System.out.printf(
                Locale.ROOT,
                "pool MiB (used + pooled): peak %.1f, at the end %.1f (used %.3f, pooled %.3f);"
                        + " decayed in total %.1f%n",
                mib(peakBuffers),
                mib(stats.usedBytes() + stats.pooledBytes()),
                mib(stats.usedBytes()),
                mib(stats.pooledBytes()),
                mib(stats.decayedBytes()));
        loop.shutdown(Duration.ofSeconds(2));
        listener.close();
        pool.close();
    }

    /** Echo: everything readable goes back, zero-copy. */
    private static void echo(Object ctx, Connection c) throws IOException {
        int n = c.reader().len();
        if (n > 0) {
            LinkBuffer b = c.reader().slice(n);
            c.writer().append(b);
            c.writer().flush();
        }
    }

    private static void client(
            int port, byte[] message, long loadStart, long loadEnd, AtomicLong roundTrips, AtomicLong errors) {
        LockSupport.parkNanos(loadStart - System.nanoTime());
        byte[] reply = new byte[16 * 1024];
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            while (System.nanoTime() < loadEnd) {
                out.write(message);
                for (int got = 0; got < message.length; ) {
                    int n = in.read(reply, 0, Math.min(reply.length, message.length - got));
                    if (n < 0 || reply[0] != message[got] || reply[n - 1] != message[got + n - 1]) {
                        errors.incrementAndGet();
                        return;
                    }
                    got += n;
                }
                roundTrips.incrementAndGet();
            }
        } catch (IOException e) {
            errors.incrementAndGet();
        }
    }

    /** Direct memory the JDK has reserved (all direct buffers not yet freed by the GC's cleaners). */
    private static long jdkDirectBytes() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                return b.getMemoryUsed();
            }
        }
        return -1;
    }

    private static String arg(String[] args, int i, String dflt) {
        return args.length > i ? args[i] : dflt;
    }

    private static long seconds(double s) {
        return (long) (s * 1e9);
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
