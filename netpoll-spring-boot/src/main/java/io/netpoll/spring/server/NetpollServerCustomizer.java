package io.netpoll.spring.server;

import java.util.List;

import io.netpoll.Option;

/**
 * Adjusts the {@link Option options} of each auto-configured server's
 * {@link io.netpoll.EventLoop} before it is created. Beans of this type are applied in
 * {@link org.springframework.core.annotation.Order order}, after the options from
 * {@code netpoll.*} properties, so a customizer can override them (the last option of a kind
 * wins).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
@FunctionalInterface
public interface NetpollServerCustomizer {

	/**
	 * Customize the options of one server.
	 * @param serverName the server name ({@code default} or a key of {@code netpoll.servers})
	 * @param options the options, mutable; add to it
	 */
	void customize(String serverName, List<Option> options);

}
