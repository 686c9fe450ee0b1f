package io.netpoll;

import io.netpoll.buffer.BufferPool;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ServerConfig / DialerConfig: immutable snapshots of their builders, the same settings whether
 * built from Go-style options or typed setters, and bad values rejected at once with a message
 * naming the setting and the value. (That a server-only option handed to a dialer does not
 * compile is shown in docs/guide.md: a test cannot contain code that does not compile.)
 */
class ConfigTests {

    @Test
    void defaultsAreUnset() {
        ServerConfig s = ServerConfig.defaults();
        assertThat(s.readTimeout()).isNull();
        assertThat(s.writeTimeout()).isNull();
        assertThat(s.idleTimeout()).isNull();
        assertThat(s.tcpKeepAlive()).isTrue();
        assertThat(s.tcpNoDelay()).isTrue();
        assertThat(s.maxInputBuffer()).isEqualTo(64 << 20);
        assertThat(s.maxOutputBuffer()).isEqualTo(64 << 20);
        assertThat(s.maxConnections()).isZero();
        assertThat(s.sendBufferSize()).isZero();
        assertThat(s.receiveBufferSize()).isZero();
        assertThat(s.pollerGroup()).isNull();
        assertThat(s.executor()).isNull();
        assertThat(s.bufferPool()).isNull();
        assertThat(s.handlerMode()).isEqualTo(HandlerMode.ADAPTIVE);
        assertThat(s.onPrepare()).isNull();
        assertThat(s.onConnect()).isNull();
        assertThat(s.onDisconnect()).isNull();
        assertThat(s.onError()).isNull();
        assertThat(DialerConfig.defaults().connectTimeout()).isNull();
    }

    @Test
    void optionsAndTypedSettersBuildTheSameConfig() {
        OnPrepare<StringBuilder> prepare = c -> new StringBuilder();
        OnError<StringBuilder> onError = (ctx, c, e) -> ErrorAction.closeQuietly();
        ServerConfig fromOptions = ServerConfig.of(
                Option.readTimeout(Duration.ofSeconds(1)),
                Option.maxConnections(7),
                Option.onPrepare(prepare),
                Option.onError(onError),
                Option.sendBufferSize(8192),
                Option.tcpNoDelay(false));
        ServerConfig fromBuilder = ServerConfig.builder()
                .readTimeout(Duration.ofSeconds(1))
                .maxConnections(7)
                .onPrepare(prepare)
                .onError(onError)
                .sendBufferSize(8192)
                .tcpNoDelay(false)
                .build();
        for (ServerConfig c : new ServerConfig[] {fromOptions, fromBuilder}) {
            assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(1));
            assertThat(c.maxConnections()).isEqualTo(7);
            assertThat(c.onPrepare()).isSameAs(prepare);
            assertThat(c.onError()).isSameAs(onError);
            assertThat(c.sendBufferSize()).isEqualTo(8192);
            assertThat(c.tcpNoDelay()).isFalse();
        }
        DialerConfig d = DialerConfig.of(
                Option.connectTimeout(Duration.ofMillis(250)), Option.idleTimeout(Duration.ofMinutes(1)));
        assertThat(d.connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(d.idleTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(DialerConfig.builder()
                        .connectTimeout(Duration.ofMillis(250))
                        .build()
                        .connectTimeout())
                .isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void aBuiltConfigNeverChangesAndTheLastSettingOfAKindWins() {
        ServerConfig.Builder builder = ServerConfig.builder().readTimeout(Duration.ofSeconds(1));
        ServerConfig first = builder.build();
        builder.readTimeout(Duration.ofSeconds(2)).maxConnections(3);
        ServerConfig second = builder.build();
        assertThat(first.readTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(first.maxConnections()).isZero();
        assertThat(second.readTimeout()).isEqualTo(Duration.ofSeconds(2));

        ServerConfig derived = second.toBuilder().maxConnections(9).build();
        assertThat(derived.maxConnections()).isEqualTo(9);
        assertThat(derived.readTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(second.maxConnections()).as("toBuilder copies").isEqualTo(3);

        Executor direct = Runnable::run;
        ServerConfig inlineThenExecutor = ServerConfig.of(Option.inlineHandlers(), Option.executor(direct));
        assertThat(inlineThenExecutor.handlerMode()).isEqualTo(HandlerMode.WORKER);
        assertThat(inlineThenExecutor.executor()).isSameAs(direct);
        ServerConfig executorThenInline = ServerConfig.of(Option.executor(direct), Option.inlineHandlers());
        assertThat(executorThenInline.handlerMode()).isEqualTo(HandlerMode.INLINE);
        assertThat(executorThenInline.executor()).isNull();
    }

    @Test
    void zeroOrNullTimeoutsMeanNone() {
        ServerConfig c = ServerConfig.builder()
                .readTimeout(Duration.ZERO)
                .writeTimeout(null)
                .idleTimeout(Duration.ZERO)
                .build();
        assertThat(c.readTimeout()).isNull();
        assertThat(c.writeTimeout()).isNull();
        assertThat(c.idleTimeout()).isNull();
        assertThat(DialerConfig.builder().connectTimeout(Duration.ZERO).build().connectTimeout())
                .isNull();
    }

    @Test
    void badValuesAreRejectedAtOnceNamingTheSettingAndTheValue() {
        Duration negative = Duration.ofSeconds(-1);
        assertThatThrownBy(() -> ServerConfig.builder().readTimeout(negative))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readTimeout must not be negative: PT-1S");
        assertThatThrownBy(() -> ServerConfig.builder().writeTimeout(negative))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("writeTimeout must not be negative: PT-1S");
        assertThatThrownBy(() -> DialerConfig.builder().idleTimeout(negative))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleTimeout must not be negative: PT-1S");
        assertThatThrownBy(() -> DialerConfig.builder().connectTimeout(negative))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("connectTimeout must not be negative: PT-1S");
        assertThatThrownBy(() -> ServerConfig.builder().maxConnections(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConnections must be positive: 0");
        assertThatThrownBy(() -> ServerConfig.builder().maxInputBuffer(-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxInputBuffer must be positive: -5");
        assertThatThrownBy(() -> DialerConfig.builder().maxOutputBuffer(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxOutputBuffer must be positive: 0");
        assertThatThrownBy(() -> Option.sendBufferSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sendBufferSize must be positive: 0");
        assertThatThrownBy(() -> Option.receiveBufferSize(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("receiveBufferSize must be positive: -1");
        assertThatThrownBy(() -> ServerConfig.builder().bufferPool(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("pool");
        assertThatThrownBy(() -> DialerConfig.builder().executor(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("executor");
        assertThatThrownBy(() -> ServerConfig.builder().pollerGroup(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("group");
        assertThatThrownBy(() -> ServerConfig.of((ServerOption) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("option");
    }

    @Test
    void eventLoopsAndDialersKeepTheConfigTheyWereGiven() {
        BufferPool pool = BufferPool.create(1 << 20);
        try (PollerGroup group = PollerGroup.create(1)) {
            ServerConfig config = ServerConfig.builder()
                    .pollerGroup(group)
                    .bufferPool(pool)
                    .maxConnections(5)
                    .build();
            EventLoop loop = Netpoll.newEventLoop((ctx, c) -> {}, config);
            assertThat(loop.config()).isSameAs(config);
            assertThat(loop.pollerGroup()).isSameAs(group);
            Dialer dialer = Netpoll.newDialer(Option.pollerGroup(group), Option.connectTimeout(Duration.ofSeconds(3)));
            assertThat(dialer.config().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(dialer.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        } finally {
            pool.close();
        }
    }

    /** Settings every connection has, written once for both sides through the shared builder. */
    private static <B extends ConnectionConfig.Builder<B>> B sharedTimeouts(B builder) {
        return builder.readTimeout(Duration.ofSeconds(5)).idleTimeout(Duration.ofMinutes(1));
    }

    @Test
    void theSharedBuilderServesBothSidesAndReturnsTheSidesOwnBuilder() {
        ServerConfig server =
                sharedTimeouts(ServerConfig.builder()).maxConnections(4).build();
        DialerConfig dialer = sharedTimeouts(DialerConfig.builder())
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        for (ConnectionConfig c : new ConnectionConfig[] {server, dialer}) {
            assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(1));
        }
        assertThat(server.maxConnections()).isEqualTo(4);
        assertThat(dialer.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        ConnectionConfig.Builder<?> derived = server.toBuilder();
        assertThat(derived.build()).isInstanceOf(ServerConfig.class);
        assertThat(dialer.toBuilder().build().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        // the side checks still apply through the shared setters
        javax.net.ssl.SSLContext context;
        try {
            context = javax.net.ssl.SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        assertThatThrownBy(() -> sharedTimeouts(ServerConfig.builder())
                        .tls(io.netpoll.tls.TlsConfig.client(context).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client TlsConfig on a server");
    }

    @Test
    void eachSideHasOnlyItsOwnSettings() {
        Set<String> shared = publicMethods(ConnectionConfig.Builder.class);
        Set<String> server = publicMethods(ServerConfig.Builder.class);
        Set<String> dialer = publicMethods(DialerConfig.Builder.class);
        assertThat(shared).contains("readTimeout", "tls", "onError").doesNotContain("maxConnections", "connectTimeout");
        assertThat(server).contains("maxConnections", "onPrepare", "onConnect").doesNotContain("connectTimeout");
        assertThat(dialer).contains("connectTimeout").doesNotContain("maxConnections", "onPrepare", "onConnect");
        assertThat(publicMethods(ConnectionConfig.class)).doesNotContain("maxConnections", "connectTimeout");
        assertThat(publicMethods(DialerConfig.class)).doesNotContain("maxConnections", "onPrepare", "onConnect");
        assertThat(publicMethods(ServerConfig.class)).doesNotContain("connectTimeout");
        assertThat(ConnectionConfig.class.isSealed()).isTrue();
        assertThat(ConnectionConfig.Builder.class.isSealed()).isTrue();
    }

    private static Set<String> publicMethods(Class<?> type) {
        return Arrays.stream(type.getMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()))
                .map(Method::getName)
                .collect(Collectors.toSet());
    }
}
