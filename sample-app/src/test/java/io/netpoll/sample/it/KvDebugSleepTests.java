package io.netpoll.sample.it;

import io.netpoll.spring.server.NetpollServers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code DEBUG SLEEP}: Redis blocks its whole server with it; the kv sample (adaptive handler
 * mode, the default) blocks only the client that asked, while other kv clients are served.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "netpoll.servers.echo.port=0",
            "netpoll.servers.kv.port=0",
            "netpoll.servers.proxy.port=0",
            "netpoll.poller.count=1"
        })
class KvDebugSleepTests {

    @Autowired
    NetpollServers servers;

    @Test
    void whileFourClientsSleepOtherClientsAreServedPromptly() throws Exception {
        int kv = SampleServers.port(servers, "kv");
        List<RawClient> sleepers = new ArrayList<>();
        try (RawClient other = new RawClient(kv)) {
            assertThat(other.send("PING\r\n").read(7)).isEqualTo("+PONG\r\n");
            long start = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                sleepers.add(new RawClient(kv).send("DEBUG SLEEP 1\r\n"));
            }
            List<Long> samples = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long t0 = System.nanoTime();
                assertThat(other.send("SET k" + i + " v\r\n").read(5)).isEqualTo("+OK\r\n");
                samples.add(System.nanoTime() - t0);
            }
            long during = System.nanoTime() - start;
            assertThat(TimeUnit.NANOSECONDS.toMillis(during))
                    .as("the 200 commands ran while the sleepers slept")
                    .isLessThan(1_000);
            samples.sort(null);
            long p99 = samples.get(197);
            assertThat(TimeUnit.NANOSECONDS.toMillis(p99))
                    .as("p99 of the other client's commands (ms)")
                    .isLessThan(50);
            for (RawClient s : sleepers) {
                assertThat(s.read(5)).isEqualTo("+OK\r\n");
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(1_000);
            String error = "-ERR value is not a valid float\r\n";
            assertThat(sleepers.get(0).send("DEBUG SLEEP x\r\n").readLike(error))
                    .isEqualTo(error);
        } finally {
            for (RawClient s : sleepers) {
                s.close();
            }
        }
    }
}
