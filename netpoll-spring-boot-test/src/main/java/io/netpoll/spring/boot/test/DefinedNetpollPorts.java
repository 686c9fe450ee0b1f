package io.netpoll.spring.boot.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keeps the configured ports of the netpoll servers in a {@code @SpringBootTest}, which
 * otherwise listen on random free ports (as
 * {@code @SpringBootTest(webEnvironment = DEFINED_PORT)} does for the web server; that setting
 * keeps the netpoll ports too).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface DefinedNetpollPorts {}
