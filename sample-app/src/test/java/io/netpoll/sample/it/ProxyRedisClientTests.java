package io.netpoll.sample.it;

/** Jedis against the proxy, which forwards to the kv server. */
class ProxyRedisClientTests extends AbstractRedisClientTests {

    @Override
    int port() {
        return SampleServers.port(servers, "proxy");
    }
}
