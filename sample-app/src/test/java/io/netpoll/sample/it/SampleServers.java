package io.netpoll.sample.it;

import io.netpoll.spring.server.NetpollServers;

/** The ports the sample's netpoll servers listen on in a test context (all ephemeral). */
final class SampleServers {

    /** Test properties: every port ephemeral, everything on loopback. */
    static final String[] PROPERTIES = {
        "netpoll.servers.echo.port=0", "netpoll.servers.kv.port=0", "netpoll.servers.proxy.port=0",
    };

    private SampleServers() {}

    static int port(NetpollServers servers, String name) {
        return servers.get(name).getPort();
    }
}
