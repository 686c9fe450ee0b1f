package io.netpoll.spring.server;

import java.util.List;

import io.netpoll.Option;

/**
 * Adjusts the {@link Option options} of the auto-configured {@link io.netpoll.Dialer} before it
 * is created, after the options from {@code netpoll.dialer.*}. Applied in
 * {@link org.springframework.core.annotation.Order order}.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@FunctionalInterface
public interface NetpollDialerCustomizer {

	/**
	 * Customize the dialer's options.
	 * @param options the options, mutable; add to it
	 */
	void customize(List<Option> options);

}
