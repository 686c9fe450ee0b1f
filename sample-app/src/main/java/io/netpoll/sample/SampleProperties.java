package io.netpoll.sample;

import io.netpoll.sample.kv.RespLimits;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/** Settings of the sample's servers, under {@code sample.*} (the ports are {@code netpoll.servers.*.port}). */
@ConfigurationProperties("sample")
public class SampleProperties {

    private final Kv kv = new Kv();
    private final Proxy proxy = new Proxy();

    public Kv getKv() {
        return kv;
    }

    public Proxy getProxy() {
        return proxy;
    }

    /** Limits of the key-value server's protocol parser; Redis's defaults. */
    public static class Kv {

        /** Longest bulk string in a request, and longest value APPEND may build (Redis: proto-max-bulk-len). */
        private DataSize maxBulkLength = DataSize.ofBytes(RespLimits.DEFAULT_MAX_BULK_LENGTH);

        /** Most arguments in one request. */
        private int maxArrayLength = RespLimits.DEFAULT_MAX_ARRAY_LENGTH;

        /** Longest inline command line (Redis: PROTO_INLINE_MAX_SIZE). */
        private DataSize maxInlineLength = DataSize.ofBytes(RespLimits.DEFAULT_MAX_INLINE_LENGTH);

        /** Most memory one partly received request may hold (Redis: client-query-buffer-limit). */
        private DataSize maxQueryBytes = DataSize.ofBytes(RespLimits.DEFAULT_MAX_QUERY_BYTES);

        /**
         * Run the kv handler on the poller threads (netpoll's inline mode) instead of the worker
         * pool: no hand-off per request. Possible because the handler never waits for input, and
         * in this mode its flush never waits either: what the socket does not take is queued and
         * sent when the socket is writable. Off by default because that queue only ends at the
         * output limit ({@code netpoll.servers.kv.connection.max-output-buffer}, 64MB): a client
         * that pipelines requests and never reads the replies makes it grow that far before its
         * connection is closed (in worker mode the flush waits instead, holding a worker thread,
         * up to the write timeout).
         */
        private boolean inlineHandlers = false;

        public boolean isInlineHandlers() {
            return inlineHandlers;
        }

        public void setInlineHandlers(boolean inlineHandlers) {
            this.inlineHandlers = inlineHandlers;
        }

        public DataSize getMaxBulkLength() {
            return maxBulkLength;
        }

        public void setMaxBulkLength(DataSize maxBulkLength) {
            this.maxBulkLength = maxBulkLength;
        }

        public int getMaxArrayLength() {
            return maxArrayLength;
        }

        public void setMaxArrayLength(int maxArrayLength) {
            this.maxArrayLength = maxArrayLength;
        }

        public DataSize getMaxInlineLength() {
            return maxInlineLength;
        }

        public void setMaxInlineLength(DataSize maxInlineLength) {
            this.maxInlineLength = maxInlineLength;
        }

        public DataSize getMaxQueryBytes() {
            return maxQueryBytes;
        }

        public void setMaxQueryBytes(DataSize maxQueryBytes) {
            this.maxQueryBytes = maxQueryBytes;
        }

        public RespLimits toLimits() {
            return new RespLimits(
                    Math.toIntExact(maxBulkLength.toBytes()),
                    maxArrayLength,
                    Math.toIntExact(maxInlineLength.toBytes()),
                    maxQueryBytes.toBytes());
        }
    }

    /** Where the proxy forwards to. */
    public static class Proxy {

        /** Host of the upstream server. */
        private String upstreamHost = "127.0.0.1";

        /** Port of the upstream server; 0 means the port the kv server listens on. */
        private int upstreamPort = 0;

        /** How long connecting to the upstream server may take. */
        private Duration connectTimeout = Duration.ofSeconds(2);

        /**
         * A session whose upstream connection carries no bytes either way for this long is closed
         * (both sides): an upstream that accepts and then never answers cannot hold a client forever.
         */
        private Duration idleTimeout = Duration.ofSeconds(60);

        /**
         * Longest wait of a forward for a side that does not read (upstream or client); then the
         * session is closed. Bounds how long a client's handler can be stuck on a blackhole upstream.
         */
        private Duration writeTimeout = Duration.ofSeconds(10);

        public String getUpstreamHost() {
            return upstreamHost;
        }

        public void setUpstreamHost(String upstreamHost) {
            this.upstreamHost = upstreamHost;
        }

        public int getUpstreamPort() {
            return upstreamPort;
        }

        public void setUpstreamPort(int upstreamPort) {
            this.upstreamPort = upstreamPort;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public Duration getWriteTimeout() {
            return writeTimeout;
        }

        public void setWriteTimeout(Duration writeTimeout) {
            this.writeTimeout = writeTimeout;
        }
    }
}
