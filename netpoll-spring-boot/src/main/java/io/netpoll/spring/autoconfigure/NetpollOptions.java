package io.netpoll.spring.autoconfigure;

import java.util.List;

import io.netpoll.Option;

/**
 * Maps {@code netpoll.*} connection properties to netpoll-core {@link Option}s.
 *
 * @author netpoll-java
 */
final class NetpollOptions {

	private NetpollOptions() {
	}

	static void addConnectionOptions(List<Option> options, NetpollProperties.Connection connection) {
		if (connection.getReadTimeout() != null) {
			options.add(Option.readTimeout(connection.getReadTimeout()));
		}
		if (connection.getWriteTimeout() != null) {
			options.add(Option.writeTimeout(connection.getWriteTimeout()));
		}
		if (connection.getIdleTimeout() != null) {
			options.add(Option.idleTimeout(connection.getIdleTimeout()));
		}
		options.add(Option.maxInputBuffer((int) connection.getMaxInputBuffer().toBytes()));
		options.add(Option.maxOutputBuffer((int) connection.getMaxOutputBuffer().toBytes()));
		options.add(Option.tcpKeepAlive(connection.isTcpKeepAlive()));
		options.add(Option.tcpNoDelay(connection.isTcpNoDelay()));
	}

}
