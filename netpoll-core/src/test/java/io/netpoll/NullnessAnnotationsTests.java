package io.netpoll;

import io.netpoll.codec.LengthFieldFrameDecoder;
import io.netpoll.codec.LineFrameDecoder;
import io.netpoll.mux.ShardQueue;
import io.netpoll.pool.ConnectionPool;
import io.netpoll.tls.TlsConfig;
import io.netpoll.tls.TlsSessionInfo;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import java.lang.reflect.AnnotatedType;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public packages are {@code @NullMarked} (JSpecify, for Spring 7's and Kotlin's null
 * checks), and the methods that really return or accept null say so with {@code @Nullable}:
 * a tool reading these annotations sees the contracts the Javadoc states.
 */
class NullnessAnnotationsTests {

    @Test
    void everyPublicPackageIsNullMarked() {
        for (Class<?> type : new Class<?>[] {
            Netpoll.class,
            io.netpoll.buffer.LinkBuffer.class,
            LineFrameDecoder.class,
            ShardQueue.class,
            ConnectionPool.class,
            TlsConfig.class
        }) {
            assertThat(type.getPackage().isAnnotationPresent(NullMarked.class))
                    .as(type.getPackageName())
                    .isTrue();
        }
    }

    @Test
    void whatMayBeNullIsNullable() throws ReflectiveOperationException {
        assertThat(nullable(LineFrameDecoder.class
                        .getMethod("tryNextFrame", io.netpoll.buffer.Reader.class)
                        .getAnnotatedReturnType()))
                .isTrue();
        assertThat(nullable(LengthFieldFrameDecoder.class
                        .getMethod("tryNextFrameSlice", io.netpoll.buffer.Reader.class)
                        .getAnnotatedReturnType()))
                .isTrue();
        assertThat(nullable(LineFrameDecoder.class
                        .getMethod("nextFrame", io.netpoll.buffer.Reader.class)
                        .getAnnotatedReturnType()))
                .as("a blocking nextFrame never returns null")
                .isFalse();
        assertThat(nullable(
                        ConnectionPool.class.getMethod("stats", String.class).getAnnotatedReturnType()))
                .isTrue();
        assertThat(nullable(ConnectionPool.class.getMethod("maxIdleTime").getAnnotatedReturnType()))
                .isTrue();
        assertThat(nullable(ConnectionPool.class.getMethod("acquire", String.class, Duration.class)
                        .getAnnotatedParameterTypes()[1]))
                .isTrue();
        assertThat(nullable(TlsConfig.class.getMethod("serverName").getAnnotatedReturnType()))
                .isTrue();
        assertThat(nullable(TlsConfig.class.getMethod("protocols").getAnnotatedReturnType()))
                .isFalse();
        assertThat(nullable(
                        TlsSessionInfo.class.getMethod("applicationProtocol").getAnnotatedReturnType()))
                .isTrue();
        assertThat(nullable(TlsSessionInfo.class.getMethod("protocol").getAnnotatedReturnType()))
                .isFalse();
    }

    private static boolean nullable(AnnotatedType type) {
        return type.isAnnotationPresent(Nullable.class);
    }
}
