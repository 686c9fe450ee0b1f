package io.netpoll.sample.kvserver;

import io.netpoll.sample.kv.CommandExecutor;
import io.netpoll.sample.kv.RespLimits;
import io.netpoll.spring.annotation.NetpollHandler;

/**
 * The kv server over TLS ({@code kv-tls}, port 6390): the same handler and the same store as
 * {@code kv}; the server's {@code ssl.bundle} (application.properties) makes it speak TLS, so
 * the handler sees plaintext as on any server. The bundle shipped with the sample is a
 * development-only certificate (src/main/resources/dev-tls/README.md).
 */
@NetpollHandler("kv-tls")
public class KvTlsHandler extends KvHandler {

    public KvTlsHandler(CommandExecutor executor, RespLimits limits) {
        super(executor, limits);
    }
}
