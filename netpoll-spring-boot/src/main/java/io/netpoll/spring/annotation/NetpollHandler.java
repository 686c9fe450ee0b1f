package io.netpoll.spring.annotation;

import org.springframework.core.annotation.AliasFor;
import org.springframework.stereotype.Component;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean as the {@link io.netpoll.OnRequest handler} of a netpoll server. Put it on a
 * class (it is a {@link Component}, so component scanning finds it) or on a {@code @Bean}
 * method. The bean must implement {@link io.netpoll.OnRequest}; if it also implements
 * {@link io.netpoll.OnPrepare}, {@link io.netpoll.OnConnect} or {@link io.netpoll.OnDisconnect},
 * those callbacks are registered too.
 * <p>
 * Each server has exactly one handler. With no attribute the handler serves the server named
 * {@code default}, configured under {@code netpoll.server.*}; {@code @NetpollHandler("admin")}
 * serves the server configured under {@code netpoll.servers.admin.*}. Only annotated beans
 * start servers: a plain {@code OnRequest} bean (for example a client connection's callback)
 * never opens a port.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Component
public @interface NetpollHandler {

    /**
     * Alias for {@link #server()}.
     * @return the server name
     */
    @AliasFor("server")
    String value() default "default";

    /**
     * Name of the server this handler serves: {@code default} for {@code netpoll.server.*}, or a
     * key of {@code netpoll.servers}.
     * @return the server name
     */
    @AliasFor("value")
    String server() default "default";
}
