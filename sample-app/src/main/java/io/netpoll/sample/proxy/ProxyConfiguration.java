package io.netpoll.sample.proxy;

import io.netpoll.spring.server.NetpollDialerCustomizer;
import io.netpoll.spring.server.NetpollServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Half-closure for both sides of the proxy: a client's FIN (and an upstream's) ends only that
 * direction, so {@link ProxyHandler} can forward it and relay the replies that still come the
 * other way. The sample's dialer serves only the proxy, so it is set on the dialer as a whole.
 */
@Configuration(proxyBeanMethods = false)
public class ProxyConfiguration {

    @Bean
    NetpollServerCustomizer proxyHalfClosure() {
        return (serverName, config) -> {
            if ("proxy".equals(serverName)) {
                config.allowHalfClosure(true);
            }
        };
    }

    @Bean
    NetpollDialerCustomizer dialerHalfClosure() {
        return config -> config.allowHalfClosure(true);
    }
}
