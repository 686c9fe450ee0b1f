package io.netpoll;

import io.netpoll.testing.TestTls;
import io.netpoll.tls.TlsConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Half-closure over TLS is not implemented: the combination is refused when a config is built. */
class HalfClosureWithTlsTests {

    @Test
    void aServerConfigWithTlsAndHalfClosureIsRefused() throws Exception {
        TlsConfig tls = TlsConfig.server(TestTls.serverContext("localhost")).build();
        assertThatThrownBy(() ->
                        ServerConfig.builder().tls(tls).allowHalfClosure(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowHalfClosure");
    }

    @Test
    void aDialerConfigWithTlsAndHalfClosureIsRefused() throws Exception {
        TlsConfig tls = TlsConfig.client(TestTls.clientContext()).build();
        assertThatThrownBy(() -> DialerConfig.of(Option.tls(tls), Option.allowHalfClosure(true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowHalfClosure");
    }
}
