package io.netpoll.spring.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image needs beyond the generated code: the failure analyzer, which Boot
 * instantiates reflectively from {@code META-INF/spring.factories}, and the class name the
 * TLS provider check looks up. The servers' beans need
 * nothing: their definitions are generated code calling {@link NetpollEventLoopFactory}
 * directly, and handlers are called through their interfaces.
 *
 * @author netpoll-java
 */
class NetpollRuntimeHints implements RuntimeHintsRegistrar {

    @Override
    public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
        hints.reflection().registerType(NetpollFailureAnalyzer.class, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
        // ssl.provider=auto|openssl looks Netty's OpenSSL support up by name (Netty ships its own
        // native-image metadata for the rest).
        hints.reflection().registerTypeIfPresent(classLoader, "io.netty.handler.ssl.OpenSsl");
    }
}
