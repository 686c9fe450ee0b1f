package io.netpoll.sample.it;

/** Jedis against the kv server. */
class KvRedisClientTests extends AbstractRedisClientTests {

    @Override
    int port() {
        return SampleServers.port(servers, "kv");
    }
}
