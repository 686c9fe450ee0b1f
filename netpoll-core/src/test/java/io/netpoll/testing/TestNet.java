package io.netpoll.testing;

import io.netpoll.Connection;
import io.netpoll.Dialer;
import io.netpoll.DialerConfig;
import io.netpoll.DialerOption;
import io.netpoll.EventLoop;
import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.OnRequest;
import io.netpoll.PollerGroup;
import io.netpoll.ServerConfig;
import io.netpoll.ServerOption;
import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;
import io.netpoll.faults.ScenarioCheck;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The networking tests' fixture: a JUnit 5 extension that gives every test its own poller group
 * (two pollers), a thread pool for blocking helpers, servers on 127.0.0.1 with ephemeral ports,
 * dialers and peer sockets, and cleans all of it up after the test, checking that no buffer
 * memory is left outstanding. Register it as an instance field, so that each test gets its own:
 * <pre>{@code
 * class EchoTests {
 *     @RegisterExtension
 *     final TestNet net = TestNet.create();
 *
 *     @Test
 *     void echoes() throws Exception {
 *         TestNet.Server server = net.echoServer(Option.handlerMode(HandlerMode.WORKER));
 *         Socket peer = net.socket(server.port());
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #faultScenario()} adds the fault-injection check: after the test's peers are closed,
 * {@link ScenarioCheck} verifies that every server and dialer of the test is back to zero
 * connections, that no poller thread was lost and that only listeners remain registered.
 *
 * <p>After every test, in this order: the peers ({@link #socket}, {@link #peer}) are closed; in a
 * fault scenario the check runs; the servers shut down (2 s grace); what the test handed to
 * {@link #closeLater} is closed, in order; the group and the thread pool close; no node of the
 * default pool may be outstanding beyond what was outstanding before the test, nor any node of
 * an {@link #ownPool()}. Each test method is bounded by a timeout (60 s by default; the thread is
 * interrupted and the test fails), so a hang fails one test instead of the build.
 *
 * <p>Threading: the fixture is used by the test's thread; {@link #exec()}'s tasks may call
 * {@link #socket}/{@link #peer}/{@link #closeLater} too (the lists are synchronized).
 */
public final class TestNet implements BeforeEachCallback, AfterEachCallback, InvocationInterceptor {
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);

    private final boolean faultScenario;
    private int pollers = 2;
    private Duration timeout = Duration.ofSeconds(60);
    private Duration cleanWithin = Duration.ofSeconds(15);

    private PollerGroup group;
    private ExecutorService exec;
    private long nodesBefore;
    private final List<AutoCloseable> peers = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Server> servers = new ArrayList<>();
    private final List<Dialer> dialers = new ArrayList<>();
    private final List<BufferPool> pools = new ArrayList<>();

    private TestNet(boolean faultScenario) {
        this.faultScenario = faultScenario;
    }

    /** The fixture of networking tests: a group, servers, dialers, sockets, cleanup and the leak check. */
    public static TestNet create() {
        return new TestNet(false);
    }

    /** As {@link #create()}, plus the {@link ScenarioCheck} after every test (the fault-injection suite). */
    public static TestNet faultScenario() {
        return new TestNet(true);
    }

    /** The number of pollers of each test's group (default 2). */
    public TestNet pollers(int count) {
        this.pollers = count;
        return this;
    }

    /** The bound on each test method (default 60 s). */
    public TestNet timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** How long a fault scenario's check waits for the servers and dialers to be clean (default 15 s). */
    public TestNet cleanWithin(Duration timeout) {
        this.cleanWithin = timeout;
        return this;
    }

    /** A running server on 127.0.0.1 with an ephemeral port; shut down after the test. */
    public record Server(EventLoop loop, Listener listener, CompletableFuture<Void> serving) {
        public int port() {
            return listener.port();
        }
    }

    /** This test's poller group. */
    public PollerGroup group() {
        return group;
    }

    /** A cached thread pool for blocking helpers (the common pool may have a single thread on small machines). */
    public ExecutorService exec() {
        return exec;
    }

    /**
     * A server of {@code onRequest} on {@code 127.0.0.1:0}, on this test's group unless
     * {@code options} name another ({@code Option.pollerGroup}).
     */
    public Server startServer(OnRequest<?> onRequest, ServerOption... options) throws IOException {
        return startServer("tcp", "127.0.0.1:0", onRequest, options);
    }

    /** A server of {@code onRequest} listening on {@code network}/{@code address} (loopback or a Unix socket). */
    public Server startServer(String network, String address, OnRequest<?> onRequest, ServerOption... options)
            throws IOException {
        Listener listener = Netpoll.createListener(network, address);
        EventLoop loop;
        try {
            loop = Netpoll.newEventLoop(
                    onRequest,
                    ServerConfig.builder().pollerGroup(group).apply(options).build());
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
        Server server = new Server(loop, listener, loop.serveAsync(listener));
        synchronized (servers) {
            servers.add(server);
        }
        return server;
    }

    /** A server of {@link #echo}. */
    public Server echoServer(ServerOption... options) throws IOException {
        return startServer(TestNet::echo, options);
    }

    /** A dialer on this test's group unless {@code options} name another; checked after a fault scenario. */
    public Dialer dialer(DialerOption... options) {
        Dialer d = Netpoll.newDialer(
                DialerConfig.builder().pollerGroup(group).apply(options).build());
        synchronized (dialers) {
            dialers.add(d);
        }
        return d;
    }

    /** A buffer pool for the test's servers, to measure their memory; checked for leaks afterwards. */
    public BufferPool ownPool() {
        BufferPool pool = BufferPool.create(64 << 20);
        synchronized (pools) {
            pools.add(pool);
        }
        return pool;
    }

    /** Closed after the test, first of all (before the check and before the servers shut down). */
    public <T extends AutoCloseable> T peer(T c) {
        synchronized (peers) {
            peers.add(c);
        }
        return c;
    }

    /** Closed after the test, after the servers have shut down, in the order given. */
    public <T extends AutoCloseable> T closeLater(T c) {
        synchronized (closeables) {
            closeables.add(c);
        }
        return c;
    }

    /** A plain socket connected to 127.0.0.1:{@code port} (TCP_NODELAY, 20 s read timeout), a {@link #peer}. */
    public Socket socket(int port) throws IOException {
        return socket(port, 0);
    }

    /**
     * As {@link #socket(int)}, with a small receive buffer if {@code receiveBuffer > 0} (set
     * before connecting: the TCP window is agreed at connect, and shrinking the buffer later makes
     * the kernel drop data it already allowed).
     */
    public Socket socket(int port, int receiveBuffer) throws IOException {
        Socket s = peer(new Socket());
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    /** Echo: takes every readable byte and writes it back, zero-copy. */
    public static void echo(Object ctx, Connection c) throws IOException {
        Reader r = c.reader();
        int n = r.len();
        if (n > 0) {
            LinkBuffer b = r.slice(n);
            c.writer().append(b);
            c.writer().flush();
        }
    }

    /** Exactly {@code n} bytes, or an {@link IOException} naming how many came before EOF. */
    public static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("EOF after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** {@code n} pseudo-random bytes, the same for the same {@code seed}. */
    public static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        int x = seed * 31 + 7;
        for (int i = 0; i < n; i++) {
            x = x * 1103515245 + 12345;
            b[i] = (byte) (x >>> 16);
        }
        return b;
    }

    /** Awaitility, looking at once and then every 5 ms (its defaults first look after 100 ms). */
    public static ConditionFactory await() {
        return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        group = PollerGroup.create(pollers);
        exec = Executors.newCachedThreadPool();
        nodesBefore = BufferPool.defaultPool().stats().outstandingNodes();
    }

    @Override
    public void interceptTestMethod(
            Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext)
            throws Throwable {
        withTimeout(invocation, invocationContext.getExecutable());
    }

    /** Parameterized and repeated tests: each invocation bounded on its own. */
    @Override
    public void interceptTestTemplateMethod(
            Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext)
            throws Throwable {
        withTimeout(invocation, invocationContext.getExecutable());
    }

    private void withTimeout(Invocation<Void> invocation, Method method) throws Throwable {
        // JUnit's @Timeout in its same-thread mode: interrupt the test's thread at the deadline, fail after.
        Thread test = Thread.currentThread();
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-net-timeout");
            t.setDaemon(true);
            return t;
        });
        ScheduledFuture<?> interrupt = timer.schedule(
                () -> {
                    expired.set(true);
                    test.interrupt();
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        Throwable failure = null;
        try {
            invocation.proceed();
        } catch (Throwable t) {
            failure = t;
        } finally {
            interrupt.cancel(false);
            timer.shutdownNow();
        }
        if (expired.get()) {
            Thread.interrupted(); // the interrupt was ours
            TimeoutException timedOut = new TimeoutException(method.getName() + "() timed out after " + timeout);
            if (failure != null) {
                timedOut.addSuppressed(failure);
            }
            throw timedOut;
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        String name = context.getDisplayName();
        try {
            closeAll(peers);
            if (faultScenario) {
                check(name);
            }
        } finally {
            try {
                for (Server s : servers) {
                    s.loop().shutdown(SHUTDOWN_GRACE);
                    s.listener().close(); // already closed by the shutdown, unless serving never began
                }
                closeAll(closeables);
            } finally {
                group.close();
                exec.shutdownNow();
            }
        }
        ScenarioCheck.assertNoOutstandingNodes(name, nodesBefore, Duration.ofSeconds(10));
        for (BufferPool pool : pools) {
            ScenarioCheck.assertNoOutstandingNodes(pool, name + " (own pool)", 0, Duration.ofSeconds(10));
        }
    }

    private void check(String name) {
        ScenarioCheck check = ScenarioCheck.after(name);
        for (int i = 0; i < servers.size(); i++) {
            check.eventLoop("#" + i, servers.get(i).loop());
        }
        for (int i = 0; i < dialers.size(); i++) {
            check.dialer("#" + i, dialers.get(i));
        }
        // Servers shut down by the test have closed their listeners.
        check.pollers(group, () ->
                (int) servers.stream().filter(s -> s.listener().isOpen()).count());
        check.verify(cleanWithin);
    }

    private static void closeAll(List<AutoCloseable> list) throws Exception {
        List<AutoCloseable> copy;
        synchronized (list) {
            copy = new ArrayList<>(list);
            list.clear();
        }
        for (AutoCloseable c : copy) {
            c.close();
        }
    }
}
