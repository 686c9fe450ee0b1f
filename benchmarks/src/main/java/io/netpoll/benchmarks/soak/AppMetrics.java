package io.netpoll.benchmarks.soak;

/**
 * What one Actuator scrape says about the application under test; {@code NaN} where a meter was
 * missing or the scrape failed. Memory in bytes.
 */
record AppMetrics(
        double heapUsed,
        double heapCommitted,
        double nonHeapUsed,
        double directBuffers,
        double netpollUsed,
        double netpollPooled,
        double echoConnections,
        double kvConnections,
        double proxyConnections,
        double dialerConnections,
        double threads,
        double openFiles,
        double handlerErrors,
        double rejectedConnections) {

    static final AppMetrics MISSING = new AppMetrics(
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN);

    /** Reads the meters from a {@code /actuator/prometheus} scrape (Prometheus names: {@code _bytes}, {@code _total}). */
    static AppMetrics from(PrometheusText p) {
        return new AppMetrics(
                p.sum("jvm_memory_used_bytes", "area", "heap"),
                p.sum("jvm_memory_committed_bytes", "area", "heap"),
                p.sum("jvm_memory_used_bytes", "area", "nonheap"),
                p.sum("jvm_buffer_memory_used_bytes", "id", "direct"),
                p.sum("netpoll_buffer_memory_used_bytes"),
                p.sum("netpoll_buffer_memory_pooled_bytes"),
                p.sum("netpoll_server_connections_active", "server", "echo"),
                p.sum("netpoll_server_connections_active", "server", "kv"),
                p.sum("netpoll_server_connections_active", "server", "proxy"),
                p.sum("netpoll_dialer_connections_active"),
                p.sum("jvm_threads_live_threads"),
                p.sum("process_files_open_files"),
                p.sum("netpoll_server_handler_errors_total"),
                p.sum("netpoll_server_connections_rejected_total"));
    }

    /** Connections the servers and the dialer hold open now. */
    double openConnections() {
        return echoConnections + kvConnections + proxyConnections + dialerConnections;
    }
}
