package io.netpoll.spring.boot.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects the port a netpoll server listens on into a field of a {@code @SpringBootTest} class
 * (an {@code int}, {@code Integer} or {@code String} field), from the
 * {@code local.netpoll.server.port} / {@code local.netpoll.server.<name>.port} property the
 * starter publishes when the server starts. Like Boot's {@code @LocalServerPort}, for netpoll.
 * <p>
 * A server that did not start (no handler, disabled, a Unix domain socket) fails the test with
 * a message naming the property.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface LocalNetpollPort {

    /**
     * The server name: {@code default} (the server of {@code netpoll.server.*}) or a key of
     * {@code netpoll.servers}.
     * @return the server name
     */
    String value() default "default";
}
