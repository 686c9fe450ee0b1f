package io.netpoll.sample.kv;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Redis's cross-protocol guard: an HTTP request closes the session before anything after it runs. */
class CrossProtocolGuardTests {

    private static final String BROWSER_POST = "POST / HTTP/1.1\r\nHost: 127.0.0.1:6379\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 14\r\n\r\nSET pwned yes\r\n";

    @Test
    void aBrowserStylePostIsClosedWithoutReplyAndItsBodyDoesNotRun() {
        try (KvHarness kv = new KvHarness()) {
            assertThat(kv.send(BROWSER_POST)).isEmpty();
            assertThat(kv.open).isFalse();
            // Whatever else arrives on that connection is ignored.
            assertThat(kv.send("SET pwned yes\r\n")).isEmpty();
            assertThat(kv.reconnect().cmd("EXISTS", "pwned")).isEqualTo(":0\r\n");
        }
    }

    @Test
    void aHostLineAnywhereClosesTheSessionAfterTheCommandsBeforeIt() {
        try (KvHarness kv = new KvHarness()) {
            assertThat(kv.send("PING\r\nhost: evil\r\nSET pwned yes\r\n")).isEqualTo("+PONG\r\n");
            assertThat(kv.open).isFalse();
            assertThat(kv.reconnect().cmd("EXISTS", "pwned")).isEqualTo(":0\r\n");
        }
    }

    @Test
    void postAsAMultibulkCommandIsCaughtTooAndOrdinaryKeysNamedPostAreNot() {
        try (KvHarness kv = new KvHarness()) {
            assertThat(kv.cmd("SET", "post", "host:")).isEqualTo("+OK\r\n");
            assertThat(kv.cmd("GET", "post")).isEqualTo("$5\r\nhost:\r\n");
            assertThat(kv.open).isTrue();
            assertThat(kv.cmd("post", "x")).isEmpty();
            assertThat(kv.open).isFalse();
        }
    }

    @Test
    void onlyTheCommandNamesCount() {
        assertThat(CrossProtocolGuard.isAttack("PoSt".getBytes())).isTrue();
        assertThat(CrossProtocolGuard.isAttack("Host:".getBytes())).isTrue();
        assertThat(CrossProtocolGuard.isAttack("HOST".getBytes())).isFalse();
        assertThat(CrossProtocolGuard.isAttack("POSTS".getBytes())).isFalse();
        assertThat(CrossProtocolGuard.isAttack("GET".getBytes())).isFalse();
    }
}
