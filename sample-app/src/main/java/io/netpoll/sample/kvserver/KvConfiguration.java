package io.netpoll.sample.kvserver;

import io.netpoll.sample.SampleProperties;
import io.netpoll.sample.kv.CommandExecutor;
import io.netpoll.sample.kv.KeyValueStore;
import io.netpoll.sample.kv.RespLimits;
import io.netpoll.spring.server.NetpollServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The key-value engine's beans: limits, the store, the command executor. */
@Configuration(proxyBeanMethods = false)
public class KvConfiguration {

    @Bean
    RespLimits respLimits(SampleProperties properties) {
        return properties.getKv().toLimits();
    }

    @Bean
    KeyValueStore keyValueStore(RespLimits limits) {
        return new KeyValueStore(System::currentTimeMillis, limits.maxBulkLength());
    }

    /** Inline mode for the kv server when {@code sample.kv.inline-handlers=true}. */
    @Bean
    NetpollServerCustomizer kvServerCustomizer(SampleProperties properties) {
        return (serverName, config) -> {
            if ("kv".equals(serverName) && properties.getKv().isInlineHandlers()) {
                config.handlerMode(io.netpoll.HandlerMode.INLINE);
            }
        };
    }

    @Bean
    CommandExecutor commandExecutor(KeyValueStore store, RespLimits limits) {
        return new CommandExecutor(store, limits);
    }
}
