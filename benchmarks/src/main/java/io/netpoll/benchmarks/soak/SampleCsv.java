package io.netpoll.benchmarks.soak;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes samples to a CSV file as they are taken, one flushed line each, so a run that dies
 * still leaves its data. Memory in MiB except netpoll's buffer memory, in bytes (0 matters there).
 *
 * <p>Not thread-safe: the driver's sampling thread owns it.
 */
final class SampleCsv implements Closeable {

    private static final double MIB = 1024.0 * 1024.0;

    private final BufferedWriter out;

    SampleCsv(Path file, List<String> workloads) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder("phase,seconds");
        for (String w : workloads) {
            h.append(',').append(w).append("_ops_per_s");
        }
        for (String w : workloads) {
            h.append(',').append(w).append("_errors");
        }
        h.append(",rss_mib,heap_used_mib,heap_committed_mib,nonheap_used_mib,direct_buffers_mib")
                .append(",netpoll_used_bytes,netpoll_pooled_bytes")
                .append(",connections_echo,connections_kv,connections_proxy,connections_dialer")
                .append(",threads,open_files,handler_errors,rejected_connections,load_average");
        out.write(h.toString());
        out.newLine();
        out.flush();
    }

    void write(Sample s) throws IOException {
        StringBuilder b = new StringBuilder(s.phase()).append(',').append(num(s.seconds(), 1));
        for (double v : s.opsPerSecond()) {
            b.append(',').append(num(v, 1));
        }
        for (long e : s.errors()) {
            b.append(',').append(e);
        }
        AppMetrics a = s.app();
        b.append(',')
                .append(s.rssBytes() < 0 ? "" : num(s.rssBytes() / MIB, 2))
                .append(',')
                .append(num(a.heapUsed() / MIB, 2))
                .append(',')
                .append(num(a.heapCommitted() / MIB, 2))
                .append(',')
                .append(num(a.nonHeapUsed() / MIB, 2))
                .append(',')
                .append(num(a.directBuffers() / MIB, 2))
                .append(',')
                .append(num(a.netpollUsed(), 0))
                .append(',')
                .append(num(a.netpollPooled(), 0))
                .append(',')
                .append(num(a.echoConnections(), 0))
                .append(',')
                .append(num(a.kvConnections(), 0))
                .append(',')
                .append(num(a.proxyConnections(), 0))
                .append(',')
                .append(num(a.dialerConnections(), 0))
                .append(',')
                .append(num(a.threads(), 0))
                .append(',')
                .append(num(a.openFiles(), 0))
                .append(',')
                .append(num(a.handlerErrors(), 0))
                .append(',')
                .append(num(a.rejectedConnections(), 0))
                .append(',')
                .append(num(s.loadAverage(), 2));
        out.write(b.toString());
        out.newLine();
        out.flush();
    }

    /** A number with {@code decimals} places, or empty for NaN (a missing value). */
    static String num(double v, int decimals) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
