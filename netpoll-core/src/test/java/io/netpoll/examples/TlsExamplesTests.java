package io.netpoll.examples;

import io.netpoll.Listener;
import io.netpoll.Netpoll;
import io.netpoll.PollerGroup;
import io.netpoll.testing.TestTls;
import io.netpoll.tls.TlsSessionInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TlsExamplesTests {
    @Test
    void theGuidesTlsSnippetServesAndDials() throws Exception {
        try (PollerGroup group = PollerGroup.create(1);
                Listener listener = Netpoll.createListener("tcp", "127.0.0.1:0")) {
            TlsSessionInfo s = TlsExamples.serveAndDial(
                    (ctx, c) -> {}, TestTls.serverContext("localhost"), TestTls.clientContext(), listener, group);
            assertThat(s.protocol()).isEqualTo("TLSv1.3");
            assertThat(s.peerCertificates()).isNotEmpty();
        }
    }
}
