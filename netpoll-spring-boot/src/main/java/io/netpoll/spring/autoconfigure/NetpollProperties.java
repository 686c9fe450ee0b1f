package io.netpoll.spring.autoconfigure;

import io.netpoll.HandlerMode;
import io.netpoll.LoadBalance;
import io.netpoll.buffer.LeakDetection;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServer.Endpoint.Network;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Configuration properties for netpoll, under {@code netpoll.*}.
 * <p>
 * Engine-wide settings ({@code poller}, {@code buffer}, {@code worker}) are shared by every
 * server and the dialer of one application context, like Go netpoll's {@code Configure(Config)},
 * but they are instance state of the context's beans, not globals. {@code server} is the server
 * named {@value NetpollServers#DEFAULT_SERVER_NAME}; {@code servers.<name>} adds more. Named servers do
 * not inherit from {@code server}: the binder cannot merge siblings, and implicit inheritance
 * surprises people.
 * <p>
 * The properties validate themselves (Boot uses a bound object that is a {@link Validator} to
 * validate it), so a bad value fails startup with Boot's binding failure report naming the key,
 * the value, where it came from and what is allowed, without needing a Bean Validation provider
 * on the classpath.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@ConfigurationProperties("netpoll")
public class NetpollProperties implements Validator {

    private static final Pattern SERVER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final Poller poller = new Poller();

    private final Buffer buffer = new Buffer();

    private final Worker worker = new Worker();

    /**
     * Default server, named "default".
     */
    @NestedConfigurationProperty
    private final Server server = new Server();

    /**
     * Additional named servers, each with its own handler. Same settings as 'netpoll.server'.
     */
    private final Map<String, Server> servers = new LinkedHashMap<>();

    private final Dialer dialer = new Dialer();

    private final Metrics metrics = new Metrics();

    public Poller getPoller() {
        return this.poller;
    }

    public Buffer getBuffer() {
        return this.buffer;
    }

    public Worker getWorker() {
        return this.worker;
    }

    public Server getServer() {
        return this.server;
    }

    public Map<String, Server> getServers() {
        return this.servers;
    }

    public Dialer getDialer() {
        return this.dialer;
    }

    public Metrics getMetrics() {
        return this.metrics;
    }

    /**
     * Every server by name, the default one first.
     * @return the servers, including disabled ones
     */
    public Map<String, Server> serversByName() {
        Map<String, Server> all = new LinkedHashMap<>();
        all.put(NetpollServer.DEFAULT_NAME, this.server);
        this.servers.forEach(all::putIfAbsent);
        return all;
    }

    /**
     * The nested types too: the binder validates each object when it is bound, under its own
     * name, so an error on one of its keys is reported with the key's origin (file and line).
     * The whole tree is validated once more at the top (objects no key was bound to).
     */
    @Override
    public boolean supports(Class<?> clazz) {
        return NetpollProperties.class.isAssignableFrom(clazz)
                || clazz == Poller.class
                || clazz == Buffer.class
                || clazz == Worker.class
                || clazz == Server.class
                || clazz == Connection.class
                || clazz == Server.Shutdown.class
                || clazz == Dialer.class
                || clazz == Dialer.Pool.class;
    }

    @Override
    public void validate(Object target, Errors errors) {
        if (target instanceof Poller poller) {
            poller.validate(errors, "");
        } else if (target instanceof Buffer buffer) {
            buffer.validate(errors, "");
        } else if (target instanceof Worker worker) {
            worker.validate(errors, "");
        } else if (target instanceof Server server) {
            server.validate(errors, "");
        } else if (target instanceof Connection connection) {
            connection.validate(errors, "");
        } else if (target instanceof Server.Shutdown shutdown) {
            nonNegative(errors, "gracePeriod", shutdown.getGracePeriod());
        } else if (target instanceof Dialer dialer) {
            dialer.validate(errors, "");
        } else if (target instanceof Dialer.Pool pool) {
            pool.validate(errors, "");
        } else if (target instanceof NetpollProperties properties) {
            validateAll(properties, errors);
        }
    }

    /**
     * The field of an error: a dashed key under a path, or, for an object validated on its
     * own, the Java property name (what the binder matches to the bound key for its origin).
     */
    private static String at(String path, String key) {
        if (!path.isEmpty()) {
            return path + "." + key;
        }
        StringBuilder field = new StringBuilder();
        boolean upper = false;
        for (char c : key.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                field.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return field.toString();
    }

    private static void validateAll(NetpollProperties properties, Errors errors) {
        properties.poller.validate(errors, "poller");
        properties.buffer.validate(errors, "buffer");
        properties.worker.validate(errors, "worker");
        properties.server.validate(errors, "server");
        properties.servers.forEach((name, server) -> {
            // Errors about the name, not a value: reported as such (no key holds the name alone).
            if (NetpollServer.DEFAULT_NAME.equals(name)) {
                errors.reject(
                        "netpoll.server.reserved",
                        "'netpoll.servers.default.*': 'default' is the server configured"
                                + " under 'netpoll.server.*'; configure it there or choose another name");
                return;
            }
            if (!SERVER_NAME.matcher(name).matches()) {
                errors.reject(
                        "netpoll.server.name",
                        "'netpoll.servers." + name + ".*': server name '" + name
                                + "' must be lower-case letters, digits and '-' (it is used in bean names, metric tags and health)");
                return;
            }
            server.validate(errors, "servers." + name);
        });
        properties.dialer.validate(errors, "dialer");
    }

    static void nonNegative(Errors errors, String path, @Nullable Duration value) {
        if (value != null && value.isNegative()) {
            errors.rejectValue(
                    path,
                    "netpoll.negative",
                    "must not be negative; use a positive duration such as 5s, or leave it unset to wait forever");
        }
    }

    static void positive(Errors errors, String path, @Nullable DataSize value) {
        if (value != null && (value.toBytes() <= 0 || value.toBytes() > Integer.MAX_VALUE)) {
            errors.rejectValue(
                    path,
                    "netpoll.size",
                    "must be a positive size up to 2GB such as 64KB, or unset for the OS default");
        }
    }

    /**
     * Buffer memory: the context's own pool of direct memory for connection buffers, used by
     * every server and the dialer of the context, and freed when the context closes.
     */
    public static class Buffer {

        /**
         * Most free buffer memory kept for reuse; memory given back beyond it is freed. 0 pools
         * nothing. Default: the system property 'netpoll.buffer.maxPooledBytes', or an eighth of
         * the maximum heap, at most 256MB (netpoll-core's default).
         */
        private @Nullable DataSize maxPooledMemory;

        /**
         * How closely to watch for buffer memory dropped without being released: 'disabled',
         * 'sample' (one node in 1024, with the stack where it was taken) or 'paranoid' (every
         * node: for tests). Default: the system property 'netpoll.leakDetection.level', or
         * 'sample'.
         */
        private @Nullable LeakDetection leakDetection;

        /**
         * Budget on all direct memory the context's pool holds (in use and free). At the
         * budget a connection's reads pause until memory comes back (a connection holding
         * much unread input first: the last eighth stays for connections that consume), and a
         * handler's write fails with BufferBudgetExceededException. Default: the system property
         * 'netpoll.buffer.maxDirectBytes', or half of the JVM's max direct memory
         * (-XX:MaxDirectMemorySize, else the max heap).
         */
        private @Nullable DataSize maxDirectMemory;

        /**
         * Free memory unused for this long is given back (dropped, so the garbage collector
         * returns it to the operating system). 0 keeps it until the context closes. Default:
         * the system property 'netpoll.buffer.decayMillis', or 30s.
         */
        private @Nullable Duration decay;

        public @Nullable DataSize getMaxDirectMemory() {
            return this.maxDirectMemory;
        }

        public void setMaxDirectMemory(@Nullable DataSize maxDirectMemory) {
            this.maxDirectMemory = maxDirectMemory;
        }

        public @Nullable Duration getDecay() {
            return this.decay;
        }

        public void setDecay(@Nullable Duration decay) {
            this.decay = decay;
        }

        public @Nullable DataSize getMaxPooledMemory() {
            return this.maxPooledMemory;
        }

        public void setMaxPooledMemory(@Nullable DataSize maxPooledMemory) {
            this.maxPooledMemory = maxPooledMemory;
        }

        public @Nullable LeakDetection getLeakDetection() {
            return this.leakDetection;
        }

        public void setLeakDetection(@Nullable LeakDetection leakDetection) {
            this.leakDetection = leakDetection;
        }

        void validate(Errors errors, String path) {
            if (this.maxPooledMemory != null && this.maxPooledMemory.isNegative()) {
                errors.rejectValue(
                        at(path, "max-pooled-memory"),
                        "netpoll.negative",
                        "must not be negative; use a size such as 64MB, 0 to pool nothing, or leave it unset for "
                                + "netpoll-core's default");
            }
            if (this.maxDirectMemory != null && this.maxDirectMemory.toBytes() <= 0) {
                errors.rejectValue(
                        at(path, "max-direct-memory"),
                        "netpoll.positive",
                        "must be positive, such as 512MB, or unset for half of the JVM's max direct memory");
            }
            if (this.decay != null && this.decay.isNegative()) {
                errors.rejectValue(
                        at(path, "decay"),
                        "netpoll.negative",
                        "must not be negative; use a duration such as 30s, or 0 to keep free memory");
            }
        }
    }

    /**
     * Pollers: the selector threads shared by all servers and the dialer.
     */
    public static class Poller {

        /**
         * Number of poller (selector) threads. Default: available processors / 20 + 1, as Go
         * netpoll (one poller per 20 cores).
         */
        private @Nullable Integer count;

        /**
         * How new connections are spread over the pollers.
         */
        private LoadBalance loadBalance = LoadBalance.ROUND_ROBIN;

        /**
         * How long a poller that has just served requests keeps polling without blocking before
         * it sleeps in select, so that a busy server's next request needs no wake-up (more
         * throughput when clients are the bottleneck, for CPU spent polling). At most 1ms; 20us
         * is a good start. Default: netpoll-core's (0, none, unless -Dnetpoll.poller.spinMicros).
         */
        private @Nullable Duration spinBeforeBlock;

        public @Nullable Integer getCount() {
            return this.count;
        }

        public void setCount(@Nullable Integer count) {
            this.count = count;
        }

        public LoadBalance getLoadBalance() {
            return this.loadBalance;
        }

        public void setLoadBalance(LoadBalance loadBalance) {
            this.loadBalance = loadBalance;
        }

        public @Nullable Duration getSpinBeforeBlock() {
            return this.spinBeforeBlock;
        }

        public void setSpinBeforeBlock(@Nullable Duration spinBeforeBlock) {
            this.spinBeforeBlock = spinBeforeBlock;
        }

        /**
         * The configured count, or netpoll's default for this machine.
         * @return the number of pollers to start
         */
        public int determineCount() {
            return (this.count != null) ? this.count : Runtime.getRuntime().availableProcessors() / 20 + 1;
        }

        void validate(Errors errors, String path) {
            if (this.count != null && (this.count < 1 || this.count > 1024)) {
                errors.rejectValue(
                        at(path, "count"),
                        "netpoll.range",
                        "must be between 1 and 1024, or unset for available processors / 20 + 1");
            }
            if (this.spinBeforeBlock != null
                    && (this.spinBeforeBlock.isNegative()
                            || this.spinBeforeBlock.compareTo(Duration.ofMillis(1)) > 0)) {
                errors.rejectValue(
                        at(path, "spin-before-block"),
                        "netpoll.range",
                        "must be between 0 (no spin) and 1ms, or unset for netpoll's default (no spin)");
            }
        }
    }

    /**
     * Worker executor: runs OnConnect and OnRequest of servers in worker mode (Go netpoll's
     * gopool). By default that is netpoll-core's own worker pool, which needs no tuning: it
     * allocates nothing per dispatch and adds a thread when a handler blocks in a read or a
     * flush. Setting 'virtual-threads' or 'max-size' replaces it with an executor of the
     * application context, and puts servers without a 'handler-mode' in worker mode.
     */
    public static class Worker {

        /**
         * Whether handlers run on virtual threads (Java 21+), one per task. Default: follows
         * 'spring.threads.virtual.enabled'.
         */
        private @Nullable Boolean virtualThreads;

        /**
         * Most threads of a bounded platform-thread pool for handlers; setting it replaces
         * netpoll-core's pool. A handler that blocks holds its thread; when all threads are busy
         * and the queue is full, the connection that needs a thread is closed. Default: unset
         * (netpoll-core's pool).
         */
        private @Nullable Integer maxSize;

        /**
         * Number of threads kept even when idle, when 'max-size' is set.
         */
        private int coreSize = 0;

        /**
         * Tasks queued when all threads are busy, when 'max-size' is set. 0 hands each task
         * directly to a thread.
         */
        private int queueCapacity = 0;

        /**
         * How long a thread above the core size may stay idle before it ends, when 'max-size'
         * is set.
         */
        private Duration keepAlive = Duration.ofSeconds(60);

        /**
         * Prefix of the worker thread names, when 'virtual-threads' or 'max-size' is set.
         */
        private String threadNamePrefix = "netpoll-worker-";

        public @Nullable Boolean getVirtualThreads() {
            return this.virtualThreads;
        }

        public void setVirtualThreads(@Nullable Boolean virtualThreads) {
            this.virtualThreads = virtualThreads;
        }

        public int getCoreSize() {
            return this.coreSize;
        }

        public void setCoreSize(int coreSize) {
            this.coreSize = coreSize;
        }

        public @Nullable Integer getMaxSize() {
            return this.maxSize;
        }

        public void setMaxSize(@Nullable Integer maxSize) {
            this.maxSize = maxSize;
        }

        public int getQueueCapacity() {
            return this.queueCapacity;
        }

        public void setQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
        }

        public Duration getKeepAlive() {
            return this.keepAlive;
        }

        public void setKeepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive;
        }

        public String getThreadNamePrefix() {
            return this.threadNamePrefix;
        }

        public void setThreadNamePrefix(String threadNamePrefix) {
            this.threadNamePrefix = threadNamePrefix;
        }

        void validate(Errors errors, String path) {
            if (this.coreSize < 0) {
                errors.rejectValue(at(path, "core-size"), "netpoll.negative", "must not be negative");
            }
            if (this.maxSize != null && this.maxSize < 1) {
                errors.rejectValue(at(path, "max-size"), "netpoll.range", "must be at least 1");
            } else if (this.maxSize != null && this.maxSize < this.coreSize) {
                errors.rejectValue(
                        at(path, "max-size"),
                        "netpoll.range",
                        "must be at least 'netpoll.worker.core-size' (" + this.coreSize + ")");
            }
            if (this.queueCapacity < 0) {
                errors.rejectValue(
                        at(path, "queue-capacity"),
                        "netpoll.negative",
                        "must not be negative; 0 hands each task directly to a thread");
            }
            if (this.keepAlive.isNegative()) {
                errors.rejectValue(at(path, "keep-alive"), "netpoll.negative", "must not be negative");
            }
        }
    }

    /**
     * Settings of one server.
     */
    public static class Server {

        /**
         * Whether to start this server. A server starts only when a @NetpollHandler bean
         * serves it (or an EventLoop bean is defined for it).
         */
        private boolean enabled = true;

        /**
         * TLS of this server, from an SSL bundle.
         */
        @NestedConfigurationProperty
        private final NetpollSslProperties.Server ssl = new NetpollSslProperties.Server();

        /**
         * TLS of this server, from an SSL bundle.
         * @return the TLS settings
         */
        public NetpollSslProperties.Server getSsl() {
            return this.ssl;
        }

        /**
         * Network to listen on.
         */
        private Network network = Network.TCP;

        /**
         * Address to bind to. Default: all interfaces.
         */
        private @Nullable InetAddress address;

        /**
         * Port to listen on. Use 0 for a free port chosen by the OS, published as
         * 'local.netpoll.server.port' (or 'local.netpoll.server.<name>.port').
         */
        private int port = 8888;

        /**
         * Socket file of a 'unix' network server. Required when the network is 'unix'.
         */
        private @Nullable Path path;

        /**
         * Maximum number of connections waiting to be accepted. 0 uses netpoll-core's default (4096; the OS may cap it).
         */
        private int backlog = 1024;

        /**
         * Maximum number of open connections; connections beyond it are closed right after
         * accept and counted as rejected. -1 means unlimited.
         */
        private int maxConnections = -1;

        /**
         * Socket receive buffer size (SO_RCVBUF) of accepted connections, set on the listening
         * socket so that it applies from the TCP handshake on. Default: the OS default.
         */
        private @Nullable DataSize receiveBufferSize;

        /**
         * Socket send buffer size (SO_SNDBUF) of accepted connections: how much a flush hands
         * to the kernel before waiting for the peer. Default: the OS default (auto-tuned).
         */
        private @Nullable DataSize sendBufferSize;

        /**
         * Where this server's handlers run: 'adaptive' (on the poller's thread; a handler
         * that blocks has the poller taken over by a spare thread within about 2 ms), 'worker'
         * (on the worker executor) or 'inline' (on the poller; blocking is forbidden). Default:
         * 'worker' when 'netpoll.worker.virtual-threads' or 'netpoll.worker.max-size' configure
         * a worker executor, else 'adaptive' (netpoll-core's default).
         */
        private @Nullable HandlerMode handlerMode;

        /**
         * Whether a connection stays open for writing after the peer's FIN (half-closure,
         * core's Option.allowHalfClosure): the handler still reads what came before the FIN,
         * answers, and the connection closes once it shuts its output down or closes. Default:
         * false (the connection closes when the peer's input is handled). Not supported with TLS
         * ('ssl.bundle').
         */
        private boolean allowHalfClosure;

        @NestedConfigurationProperty
        private final Connection connection = new Connection();

        private final Shutdown shutdown = new Shutdown();

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Network getNetwork() {
            return this.network;
        }

        public void setNetwork(Network network) {
            this.network = network;
        }

        public @Nullable InetAddress getAddress() {
            return this.address;
        }

        public void setAddress(@Nullable InetAddress address) {
            this.address = address;
        }

        public int getPort() {
            return this.port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public @Nullable Path getPath() {
            return this.path;
        }

        public void setPath(@Nullable Path path) {
            this.path = path;
        }

        public int getBacklog() {
            return this.backlog;
        }

        public void setBacklog(int backlog) {
            this.backlog = backlog;
        }

        public int getMaxConnections() {
            return this.maxConnections;
        }

        public void setMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
        }

        public @Nullable DataSize getReceiveBufferSize() {
            return this.receiveBufferSize;
        }

        public void setReceiveBufferSize(@Nullable DataSize receiveBufferSize) {
            this.receiveBufferSize = receiveBufferSize;
        }

        public @Nullable DataSize getSendBufferSize() {
            return this.sendBufferSize;
        }

        public void setSendBufferSize(@Nullable DataSize sendBufferSize) {
            this.sendBufferSize = sendBufferSize;
        }

        public @Nullable HandlerMode getHandlerMode() {
            return this.handlerMode;
        }

        public void setHandlerMode(@Nullable HandlerMode handlerMode) {
            this.handlerMode = handlerMode;
        }

        public boolean isAllowHalfClosure() {
            return this.allowHalfClosure;
        }

        public void setAllowHalfClosure(boolean allowHalfClosure) {
            this.allowHalfClosure = allowHalfClosure;
        }

        public Connection getConnection() {
            return this.connection;
        }

        public Shutdown getShutdown() {
            return this.shutdown;
        }

        void validate(Errors errors, String path) {
            if (this.port < 0 || this.port > 65535) {
                errors.rejectValue(
                        at(path, "port"),
                        "netpoll.range",
                        "must be between 0 and 65535; use 0 for a free port chosen by the OS");
            }
            if (this.backlog < 0) {
                errors.rejectValue(
                        at(path, "backlog"), "netpoll.negative", "must not be negative; 0 uses netpoll-core's default");
            }
            if (this.maxConnections == 0 || this.maxConnections < -1) {
                errors.rejectValue(
                        at(path, "max-connections"), "netpoll.range", "must be positive, or -1 for unlimited");
            }
            if (this.network == Network.UNIX && this.path == null) {
                errors.rejectValue(
                        at(path, "path"),
                        "netpoll.required",
                        "is required when the network is 'unix': set it to the socket file");
            }
            if (this.network != Network.UNIX && this.path != null) {
                errors.rejectValue(
                        at(path, "path"),
                        "netpoll.unused",
                        "is only used with network 'unix'; remove it or set the network to 'unix'");
            }
            if (this.network == Network.TCP4 && this.address instanceof java.net.Inet6Address) {
                errors.rejectValue(
                        at(path, "address"), "netpoll.network", "is an IPv6 address but the network is 'tcp4'");
            }
            if (this.network == Network.TCP6 && this.address instanceof java.net.Inet4Address) {
                errors.rejectValue(
                        at(path, "address"), "netpoll.network", "is an IPv4 address but the network is 'tcp6'");
            }
            if (this.allowHalfClosure && this.ssl.getBundle() != null) {
                // netpoll-core refuses the pair (close_notify and TLS 1.3 half-close rules are not
                // implemented); say so with the keys instead of an exception at the event loop.
                errors.rejectValue(
                        at(path, "allow-half-closure"),
                        "netpoll.tls",
                        "is not supported together with TLS ('ssl.bundle' is set to '" + this.ssl.getBundle()
                                + "'): remove 'allow-half-closure' or 'ssl.bundle'");
            }
            positive(errors, at(path, "receive-buffer-size"), this.receiveBufferSize);
            positive(errors, at(path, "send-buffer-size"), this.sendBufferSize);
            this.connection.validate(errors, at(path, "connection"));
            nonNegative(errors, at(path, "shutdown.grace-period"), this.shutdown.gracePeriod);
        }

        /**
         * Graceful shutdown of a server.
         */
        public static class Shutdown {

            /**
             * How long to wait for busy connections to finish their handlers when the context
             * closes, before closing them. 0 closes at once. Default: the value of
             * 'spring.lifecycle.timeout-per-shutdown-phase'; a longer value is cut short by it.
             */
            private @Nullable Duration gracePeriod;

            public @Nullable Duration getGracePeriod() {
                return this.gracePeriod;
            }

            public void setGracePeriod(@Nullable Duration gracePeriod) {
                this.gracePeriod = gracePeriod;
            }
        }
    }

    /**
     * Settings of the connections of a server or the dialer.
     */
    public static class Connection {

        /**
         * Longest wait of a blocking read for data. Default: wait forever.
         */
        private @Nullable Duration readTimeout;

        /**
         * Longest wait of a flush for the peer to accept data; then the connection is closed
         * (the peer is not reading) and the flush throws WriteTimeoutException. Default: wait
         * forever.
         */
        private @Nullable Duration writeTimeout;

        /**
         * Close a connection after this long without reading or writing any byte. Default:
         * never. (Go netpoll's "idle timeout" is TCP keep-alive: see 'tcp-keep-alive'.)
         */
        private @Nullable Duration idleTimeout;

        /**
         * Most unread input buffered per connection. At the limit the poller stops reading
         * that socket until the handler consumes data (backpressure to the peer); a handler
         * that returns without consuming anything at the limit gets its connection closed.
         * Up to 2GB.
         */
        private DataSize maxInputBuffer = DataSize.ofMegabytes(64);

        /**
         * Most unsent output per connection where a flush cannot wait (inline handlers); above
         * it the peer is not reading and the connection is closed. Elsewhere a flush waits
         * until everything is sent (up to 'write-timeout'). Up to 2GB.
         */
        private DataSize maxOutputBuffer = DataSize.ofMegabytes(64);

        /**
         * Whether to enable TCP keep-alive probes (SO_KEEPALIVE).
         */
        private boolean tcpKeepAlive = true;

        /**
         * Whether to disable Nagle's algorithm (TCP_NODELAY).
         */
        private boolean tcpNoDelay = true;

        public @Nullable Duration getReadTimeout() {
            return this.readTimeout;
        }

        public void setReadTimeout(@Nullable Duration readTimeout) {
            this.readTimeout = readTimeout;
        }

        public @Nullable Duration getWriteTimeout() {
            return this.writeTimeout;
        }

        public void setWriteTimeout(@Nullable Duration writeTimeout) {
            this.writeTimeout = writeTimeout;
        }

        public @Nullable Duration getIdleTimeout() {
            return this.idleTimeout;
        }

        public void setIdleTimeout(@Nullable Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public DataSize getMaxInputBuffer() {
            return this.maxInputBuffer;
        }

        public void setMaxInputBuffer(DataSize maxInputBuffer) {
            this.maxInputBuffer = maxInputBuffer;
        }

        public DataSize getMaxOutputBuffer() {
            return this.maxOutputBuffer;
        }

        public void setMaxOutputBuffer(DataSize maxOutputBuffer) {
            this.maxOutputBuffer = maxOutputBuffer;
        }

        public boolean isTcpKeepAlive() {
            return this.tcpKeepAlive;
        }

        public void setTcpKeepAlive(boolean tcpKeepAlive) {
            this.tcpKeepAlive = tcpKeepAlive;
        }

        public boolean isTcpNoDelay() {
            return this.tcpNoDelay;
        }

        public void setTcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
        }

        void validate(Errors errors, String path) {
            nonNegative(errors, at(path, "read-timeout"), this.readTimeout);
            nonNegative(errors, at(path, "write-timeout"), this.writeTimeout);
            nonNegative(errors, at(path, "idle-timeout"), this.idleTimeout);
            if (this.maxInputBuffer.toBytes() < 1 || this.maxInputBuffer.toBytes() > Integer.MAX_VALUE) {
                errors.rejectValue(at(path, "max-input-buffer"), "netpoll.range", "must be between 1B and 2GB");
            }
            if (this.maxOutputBuffer.toBytes() < 1 || this.maxOutputBuffer.toBytes() > Integer.MAX_VALUE) {
                errors.rejectValue(at(path, "max-output-buffer"), "netpoll.range", "must be between 1B and 2GB");
            }
        }
    }

    /**
     * Client side: the Dialer bean.
     */
    public static class Dialer {

        /**
         * Longest wait for a connection to be established, for dial calls without a timeout
         * argument (a timeout passed to a call wins). 0 waits as long as the OS does (about two
         * minutes on Linux).
         */
        private Duration connectTimeout = Duration.ofSeconds(10);

        /**
         * Socket send buffer size (SO_SNDBUF) of client connections. Default: the OS default
         * (auto-tuned).
         */
        private @Nullable DataSize sendBufferSize;

        /**
         * Socket receive buffer size (SO_RCVBUF) of client connections, set before connecting
         * so that it applies from the TCP handshake on. Default: the OS default (auto-tuned).
         */
        private @Nullable DataSize receiveBufferSize;

        @NestedConfigurationProperty
        private final Connection connection = new Connection();

        @NestedConfigurationProperty
        private final NetpollSslProperties.Dialer ssl = new NetpollSslProperties.Dialer();

        /**
         * TLS of the dialer's connections, from an SSL bundle.
         * @return the TLS settings
         */
        public NetpollSslProperties.Dialer getSsl() {
            return this.ssl;
        }

        private final Pool pool = new Pool();

        public Duration getConnectTimeout() {
            return this.connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public @Nullable DataSize getSendBufferSize() {
            return this.sendBufferSize;
        }

        public void setSendBufferSize(@Nullable DataSize sendBufferSize) {
            this.sendBufferSize = sendBufferSize;
        }

        public @Nullable DataSize getReceiveBufferSize() {
            return this.receiveBufferSize;
        }

        public void setReceiveBufferSize(@Nullable DataSize receiveBufferSize) {
            this.receiveBufferSize = receiveBufferSize;
        }

        public Connection getConnection() {
            return this.connection;
        }

        void validate(Errors errors, String path) {
            if (this.connectTimeout.isNegative()) {
                errors.rejectValue(
                        at(path, "connect-timeout"),
                        "netpoll.negative",
                        "must not be negative; use a positive duration such as 5s, or 0 to wait as long as the OS does");
            }
            positive(errors, at(path, "send-buffer-size"), this.sendBufferSize);
            positive(errors, at(path, "receive-buffer-size"), this.receiveBufferSize);
            this.connection.validate(errors, at(path, "connection"));
            this.pool.validate(errors, at(path, "pool"));
        }

        public Pool getPool() {
            return this.pool;
        }

        /**
         * The connection pool over the Dialer bean (core's ConnectionPool).
         */
        public static class Pool {

            /**
             * Whether to create the ConnectionPool bean.
             */
            private boolean enabled = true;

            /**
             * Open connections per remote address, lent or idle.
             */
            private int maxConnections = 16;

            /**
             * Callers that may wait per address when every connection is lent; one more fails at
             * once (PendingAcquireLimitException). 0 never waits.
             */
            private int maxPendingAcquires = 1000;

            /**
             * Longest wait of an acquire for a connection to be released (then
             * AcquireTimeoutException). 0 does not wait.
             */
            private Duration acquireTimeout = Duration.ofSeconds(10);

            /**
             * Connections without traffic for this long are closed (the connection's idle timeout,
             * enforced by the pollers). Default: never.
             */
            private @Nullable Duration maxIdleTime;

            /**
             * Connections this old are closed when next released or validated. Default: never.
             */
            private @Nullable Duration maxLifetime;

            public boolean isEnabled() {
                return this.enabled;
            }

            public void setEnabled(boolean enabled) {
                this.enabled = enabled;
            }

            public int getMaxConnections() {
                return this.maxConnections;
            }

            public void setMaxConnections(int maxConnections) {
                this.maxConnections = maxConnections;
            }

            public int getMaxPendingAcquires() {
                return this.maxPendingAcquires;
            }

            public void setMaxPendingAcquires(int maxPendingAcquires) {
                this.maxPendingAcquires = maxPendingAcquires;
            }

            public Duration getAcquireTimeout() {
                return this.acquireTimeout;
            }

            public void setAcquireTimeout(Duration acquireTimeout) {
                this.acquireTimeout = acquireTimeout;
            }

            public @Nullable Duration getMaxIdleTime() {
                return this.maxIdleTime;
            }

            public void setMaxIdleTime(@Nullable Duration maxIdleTime) {
                this.maxIdleTime = maxIdleTime;
            }

            public @Nullable Duration getMaxLifetime() {
                return this.maxLifetime;
            }

            public void setMaxLifetime(@Nullable Duration maxLifetime) {
                this.maxLifetime = maxLifetime;
            }

            void validate(Errors errors, String path) {
                if (this.maxConnections < 1) {
                    errors.rejectValue(at(path, "max-connections"), "netpoll.positive", "must be at least 1");
                }
                if (this.maxPendingAcquires < 0) {
                    errors.rejectValue(at(path, "max-pending-acquires"), "netpoll.negative", "must not be negative");
                }
                if (this.acquireTimeout.isNegative()) {
                    errors.rejectValue(at(path, "acquire-timeout"), "netpoll.negative", "must not be negative");
                }
                if (this.maxIdleTime != null && this.maxIdleTime.isNegative()) {
                    errors.rejectValue(at(path, "max-idle-time"), "netpoll.negative", "must not be negative");
                }
                if (this.maxLifetime != null && this.maxLifetime.isNegative()) {
                    errors.rejectValue(at(path, "max-lifetime"), "netpoll.negative", "must not be negative");
                }
            }
        }
    }

    /**
     * Metrics settings beyond Boot's 'management.metrics.enable.netpoll'.
     */
    public static class Metrics {

        private final Requests requests = new Requests();

        public Requests getRequests() {
            return this.requests;
        }

        /**
         * Request timer.
         */
        public static class Requests {

            /**
             * Whether to time every OnRequest call ('netpoll.server.requests' timer). Costs a
             * clock read and a timer update per call, so it is off by default.
             */
            private boolean enabled = false;

            public boolean isEnabled() {
                return this.enabled;
            }

            public void setEnabled(boolean enabled) {
                this.enabled = enabled;
            }
        }
    }
}
