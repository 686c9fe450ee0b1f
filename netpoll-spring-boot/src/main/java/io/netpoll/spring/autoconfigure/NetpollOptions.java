package io.netpoll.spring.autoconfigure;

import io.netpoll.Option;
import io.netpoll.buffer.BufferPool;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.unit.DataSize;

import java.util.List;

/**
 * Maps {@code netpoll.*} connection properties to netpoll-core {@link Option}s.
 *
 * @author netpoll-java
 */
final class NetpollOptions {

    private NetpollOptions() {}

    static void addConnectionOptions(List<? super Option> options, NetpollProperties.Connection connection) {
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

    /**
     * Adds the context's buffer pool, if there is one (the auto-configured or the
     * application's {@link BufferPool} bean).
     */
    static void addBufferPool(List<? super Option> options, ObjectProvider<BufferPool> bufferPool) {
        bufferPool.ifAvailable((pool) -> options.add(Option.bufferPool(pool)));
    }

    static void addSocketBuffers(List<? super Option> options, @Nullable DataSize send, @Nullable DataSize receive) {
        if (send != null) {
            options.add(Option.sendBufferSize((int) send.toBytes()));
        }
        if (receive != null) {
            options.add(Option.receiveBufferSize((int) receive.toBytes()));
        }
    }
}
