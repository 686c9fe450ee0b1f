package io.netpoll.bench;

import io.netpoll.tls.TlsEngineFactory;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import java.nio.file.Path;

/**
 * BoringSSL engines (Netty's netty-tcnative) for the echo server's {@code NETPOLL_TLS_PROVIDER=openssl}:
 * the same engine Netty's echo uses with {@code --tls-provider openssl}, so the two servers
 * differ only in what is around the engine.
 */
final class OpenSslEngines implements TlsEngineFactory {
    private final SslContext context;

    private OpenSslEngines(SslContext context) {
        this.context = context;
    }

    static OpenSslEngines server(Path certPem, Path keyPem) throws SSLException {
        if (!OpenSsl.isAvailable()) {
            throw new SSLException("BoringSSL is not available", OpenSsl.unavailabilityCause());
        }
        return new OpenSslEngines(SslContextBuilder.forServer(certPem.toFile(), keyPem.toFile())
                .sslProvider(SslProvider.OPENSSL_REFCNT)
                .protocols("TLSv1.3", "TLSv1.2")
                .build());
    }

    @Override
    public SSLEngine newEngine(String peerHost, int peerPort) {
        return context.newEngine(PooledByteBufAllocator.DEFAULT);
    }

    @Override
    public void release(SSLEngine engine) {
        ReferenceCountUtil.release(engine);
    }

    @Override
    public boolean prefersDirectBuffers() {
        return true;
    }
}
