package io.netpoll.sample.faults;

import io.netpoll.NetStats;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Peers that close their sending side (FIN) right after their last request, sometimes in the
 * middle of a command: every complete request is still answered, then the server closes.
 * (Not the proxy: netpoll connections close once the peer's FIN has been read, so the proxy
 * cannot wait for the replies of a client that half-closed.)
 */
class SampleHalfCloseFaultTests extends SampleFaultScenario {

    @Test
    void kvAnswersEveryCompleteCommandSentBeforeAHalfCloseThenCloses() throws Exception {
        NetStats kv = server("kv").getEventLoop().stats();
        long errors = kv.handlerErrors();
        List<Socket> sockets = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        String run = "halfclose:" + System.nanoTime() + ":"; // keys no earlier test used
        for (int i = 0; i < 50; i++) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            StringBuilder replies = new StringBuilder();
            String counter = run + i + ":n";
            for (int c = 0; c < 20; c++) {
                String key = run + i + ":" + c;
                String value = "value-" + i + "-" + c;
                b.writeBytes(Peers.cmd("SET", key, value));
                b.writeBytes(Peers.cmd("GET", key));
                b.writeBytes(Peers.cmd("INCR", counter));
                replies.append("+OK\r\n$")
                        .append(value.length())
                        .append("\r\n")
                        .append(value)
                        .append("\r\n")
                        .append(":")
                        .append(c + 1)
                        .append("\r\n");
            }
            if (i % 2 == 1) { // and half a command: the FIN comes mid-request
                b.writeBytes(Peers.bytes("*2\r\n$3\r\nGET\r\n$10\r\nhalf"));
            }
            Socket s = socket("kv");
            s.getOutputStream().write(b.toByteArray());
            s.shutdownOutput();
            sockets.add(s);
            expected.add(replies.toString());
        }
        for (int i = 0; i < sockets.size(); i++) {
            Socket s = sockets.get(i);
            String want = expected.get(i);
            assertThat(Peers.text(Peers.read(s.getInputStream(), want.length())))
                    .as("replies on %d", i)
                    .isEqualTo(want);
            assertThat(s.getInputStream().read()).as("then EOF on %d", i).isEqualTo(-1);
        }
        assertThat(kv.handlerErrors()).isEqualTo(errors);
        assertThat(Peers.kvServes(port("kv"))).isTrue();
    }

    @Test
    void echoReturnsEverythingSentBeforeAHalfCloseThenCloses() throws Exception {
        Random random = new Random(5);
        for (int i = 0; i < 5; i++) {
            byte[] data = new byte[(1 << 20) + random.nextInt(1000)];
            random.nextBytes(data);
            Socket s = socket("echo");
            // Write and read at once: the echo comes back while we send (the server's buffers are bounded).
            Future<?> writing = exec.submit(() -> {
                s.getOutputStream().write(data);
                s.shutdownOutput();
                return null;
            });
            assertThat(Peers.read(s.getInputStream(), data.length)).isEqualTo(data);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            writing.get(10, TimeUnit.SECONDS);
        }
        assertThat(Peers.echoServes(port("echo"))).isTrue();
    }
}
