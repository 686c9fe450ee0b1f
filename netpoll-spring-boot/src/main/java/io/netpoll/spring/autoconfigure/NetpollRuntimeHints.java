package io.netpoll.spring.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image needs beyond the generated code: the failure analyzer, which Boot
 * instantiates reflectively from {@code META-INF/spring.factories}. The servers' beans need
 * nothing: their definitions are generated code calling {@link NetpollEventLoopFactory}
 * directly, and handlers are called through their interfaces.
 *
 * @author netpoll-java
 */
class NetpollRuntimeHints implements RuntimeHintsRegistrar {

    @Override
    public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
        hints.reflection().registerType(NetpollFailureAnalyzer.class, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
    }
}
