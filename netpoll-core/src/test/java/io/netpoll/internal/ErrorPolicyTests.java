package io.netpoll.internal;

import io.netpoll.Connection;
import io.netpoll.ConnectionClosedException;
import io.netpoll.ErrorAction;
import io.netpoll.ReadTimeoutException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ErrorPolicy}: peer errors are one rate-limited line each (a thousand failing peers must
 * not flood the log), handler errors a WARNING with the stack trace, and the counters split them.
 */
class ErrorPolicyTests {

    record Line(System.Logger.Level level, String message, Throwable thrown) {}

    /** A System.Logger that keeps what it is given. */
    static final class Recording implements System.Logger {
        final List<Line> lines = new CopyOnWriteArrayList<>();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(new Line(level, msg, thrown));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(new Line(level, format, null));
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            lines.add(new Line(level, msgSupplier.get(), null));
        }
    }

    private static Connection connection() {
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 4242);
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "remoteAddress" -> peer;
                    case "toString" -> "conn";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void peerErrorsAreRateLimitedPerWindowAndTheNextLineCountsWhatWasSuppressed() {
        Counters counters = new Counters();
        Recording log = new Recording();
        AtomicLong now = new AtomicLong(1_000);
        ErrorPolicy policy = new ErrorPolicy(null, counters, log, now::get, 10, 1_000_000_000L);
        Connection c = connection();
        for (int i = 0; i < 1000; i++) {
            assertThat(policy.handlerFailed(c, null, new ReadTimeoutException("read timed out after PT1S")))
                    .isTrue();
        }
        assertThat(log.lines).hasSize(10);
        assertThat(log.lines).allSatisfy(l -> {
            assertThat(l.level()).isEqualTo(System.Logger.Level.INFO);
            assertThat(l.thrown()).isNull();
            assertThat(l.message())
                    .isEqualTo("closing /127.0.0.1:4242 after a peer error: "
                            + "ReadTimeoutException: read timed out after PT1S");
        });
        assertThat(counters.peerErrors()).isEqualTo(1000);
        assertThat(counters.handlerErrors()).isZero();

        now.addAndGet(999_999_999L); // still the same window
        policy.handlerFailed(c, null, new ConnectException("Connection refused"));
        assertThat(log.lines).hasSize(10);

        now.addAndGet(1L); // a new window
        policy.handlerFailed(c, null, new ConnectException("Connection refused"));
        assertThat(log.lines).hasSize(11);
        assertThat(log.lines.get(10).message())
                .isEqualTo("closing /127.0.0.1:4242 after a peer error: "
                        + "ConnectException: Connection refused (991 similar lines suppressed)");
    }

    @Test
    void handlerErrorsAreLoggedWithTheirStackTraceAndNeverSuppressed() {
        Counters counters = new Counters();
        Recording log = new Recording();
        ErrorPolicy policy = new ErrorPolicy(null, counters, log, () -> 0L, 1, 1_000_000_000L);
        for (int i = 0; i < 3; i++) {
            policy.handlerFailed(connection(), null, new IllegalStateException("bug " + i));
        }
        assertThat(log.lines).hasSize(3).allSatisfy(l -> {
            assertThat(l.level()).isEqualTo(System.Logger.Level.WARNING);
            assertThat(l.thrown()).isInstanceOf(IllegalStateException.class);
        });
        assertThat(counters.handlerErrors()).isEqualTo(3);
        assertThat(counters.peerErrors()).isZero();
    }

    @Test
    void theHookDecidesAndANullDecisionIsTheDefault() {
        Counters counters = new Counters();
        Recording log = new Recording();
        ErrorPolicy keep = new ErrorPolicy((ctx, c, e) -> ErrorAction.keepOpen(), counters, log, () -> 0L, 10, 1L);
        assertThat(keep.handlerFailed(connection(), "ctx", new IllegalStateException()))
                .isFalse();
        ErrorPolicy none = new ErrorPolicy((ctx, c, e) -> null, counters, log, () -> 0L, 10, 1L);
        assertThat(none.handlerFailed(connection(), "ctx", new IllegalStateException("x")))
                .isTrue();
        assertThat(log.lines)
                .singleElement()
                .satisfies(l -> assertThat(l.level()).isEqualTo(System.Logger.Level.WARNING));
        assertThat(counters.handlerErrors()).isEqualTo(2);
    }

    @Test
    void peerErrorsAreRecognisedThroughCausesAndTheJdksPlainIoExceptions() {
        assertThat(ErrorAction.isPeerError(new ReadTimeoutException("t"))).isTrue();
        assertThat(ErrorAction.isPeerError(new ConnectionClosedException("closed")))
                .isTrue();
        assertThat(ErrorAction.isPeerError(new ConnectException("refused"))).isTrue();
        assertThat(ErrorAction.isPeerError(new IOException("Connection reset by peer")))
                .isTrue();
        assertThat(ErrorAction.isPeerError(new IOException("Broken pipe"))).isTrue();
        assertThat(ErrorAction.isPeerError(new java.io.UncheckedIOException(new java.net.SocketException("reset"))))
                .isTrue();
        assertThat(ErrorAction.isPeerError(new IOException("disk full"))).isFalse();
        assertThat(ErrorAction.isPeerError(new IllegalArgumentException("bad"))).isFalse();
        assertThat(ErrorAction.isPeerError(new NullPointerException())).isFalse();
    }
}
