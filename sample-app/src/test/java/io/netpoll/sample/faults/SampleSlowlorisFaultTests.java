package io.netpoll.sample.faults;

import io.netpoll.buffer.BufferLeakCheckExtension;
import io.netpoll.testing.PeerIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slowloris: many connections holding half-sent requests. With an idle timeout configured
 * ({@code connection.idle-timeout}, 1 s here; off by default) the servers evict them, and serve
 * others meanwhile. Its own context: the idle timeout would disturb the other scenarios.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "netpoll.servers.echo.port=0",
            "netpoll.servers.kv.port=0",
            "netpoll.servers.proxy.port=0",
            "netpoll.servers.echo.connection.idle-timeout=1s",
            "netpoll.servers.kv.connection.idle-timeout=1s",
            "netpoll.servers.proxy.connection.idle-timeout=1s"
        })
@ExtendWith(BufferLeakCheckExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SampleSlowlorisFaultTests extends SampleFaultScenario {

    @Test
    void manyHalfSentRequestsAreEvictedByTheIdleTimeoutWhileOthersAreServed() throws Exception {
        List<Socket> loris = new ArrayList<>();
        for (int i = 0; i < 100; i++) { // kv: a bulk that stops after 5 of 900 bytes
            Socket s = socket("kv");
            s.getOutputStream().write(Peers.bytes("*3\r\n$3\r\nSET\r\n$4\r\nlori\r\n$900\r\nabcde"));
            loris.add(s);
        }
        for (int i = 0; i < 50; i++) { // the same through the proxy
            Socket s = socket("proxy");
            s.getOutputStream().write(Peers.bytes("*3\r\n$3\r\nSET\r\n$4\r\nlori\r\n$900\r\nabcde"));
            loris.add(s);
        }
        for (int i = 0; i < 50; i++) { // echo: one byte, then silence
            Socket s = socket("echo");
            s.getOutputStream().write(i);
            assertThat(s.getInputStream().read()).isEqualTo(i);
            loris.add(s);
        }
        long sentAt = System.nanoTime();
        // Held requests take nothing from other clients.
        assertThat(Peers.kvServes(port("kv"))).isTrue();
        assertThat(Peers.kvServes(port("proxy"))).isTrue();
        assertThat(Peers.echoServes(port("echo"))).isTrue();
        for (Socket s : loris) {
            assertThat(PeerIo.readToEnd(s.getInputStream()).bytes())
                    .as("evicted")
                    .isEmpty();
        }
        assertThat(System.nanoTime() - sentAt)
                .as("not before the idle timeout")
                .isGreaterThanOrEqualTo(Duration.ofMillis(900).toNanos()); // the wheel's resolution: about 50 ms
    }
}
