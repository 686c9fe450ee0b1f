package io.netpoll.sample.proxy;

import io.netpoll.spring.server.NetpollDialerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Half-closure for both sides of the proxy: a client's FIN (and an upstream's) ends only that
 * direction, so {@link ProxyHandler} can forward it and relay the replies that still come the
 * other way. The server side is a property ({@code netpoll.servers.proxy.allow-half-closure} in
 * application.properties); the dialer has no such property, and the sample's dialer serves only
 * the proxy, so it is set on the dialer as a whole here.
 */
@Configuration(proxyBeanMethods = false)
public class ProxyConfiguration {

    @Bean
    NetpollDialerCustomizer dialerHalfClosure() {
        return config -> config.allowHalfClosure(true);
    }
}
