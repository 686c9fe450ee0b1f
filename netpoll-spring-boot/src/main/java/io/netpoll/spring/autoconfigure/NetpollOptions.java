package io.netpoll.spring.autoconfigure;

import io.netpoll.ConnectionConfig;
import io.netpoll.buffer.BufferPool;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.util.unit.DataSize;

/**
 * Maps {@code netpoll.*} connection properties onto the settings servers and the dialer share
 * ({@link ConnectionConfig.Builder}), so both sides map them in one place.
 *
 * @author netpoll-java
 */
final class NetpollOptions {

    private NetpollOptions() {}

    static void connection(ConnectionConfig.Builder<?> config, NetpollProperties.Connection connection) {
        PropertyMapper map = PropertyMapper.get();
        map.from(connection.getReadTimeout()).to(config::readTimeout);
        map.from(connection.getWriteTimeout()).to(config::writeTimeout);
        map.from(connection.getIdleTimeout()).to(config::idleTimeout);
        config.maxInputBuffer(toInt(connection.getMaxInputBuffer()));
        config.maxOutputBuffer(toInt(connection.getMaxOutputBuffer()));
        config.tcpKeepAlive(connection.isTcpKeepAlive());
        config.tcpNoDelay(connection.isTcpNoDelay());
    }

    /**
     * Sets the context's buffer pool, if there is one (the auto-configured or the
     * application's {@link BufferPool} bean).
     */
    static void bufferPool(ConnectionConfig.Builder<?> config, ObjectProvider<BufferPool> bufferPool) {
        bufferPool.ifAvailable(config::bufferPool);
    }

    static void socketBuffers(ConnectionConfig.Builder<?> config, @Nullable DataSize send, @Nullable DataSize receive) {
        PropertyMapper map = PropertyMapper.get();
        map.from(send).as(NetpollOptions::toInt).to(config::sendBufferSize);
        map.from(receive).as(NetpollOptions::toInt).to(config::receiveBufferSize);
    }

    static int toInt(DataSize size) {
        return (int) Math.min(Integer.MAX_VALUE, size.toBytes());
    }
}
