package io.netpoll.sample.faults;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;

/** Senders that send one byte at a time: exact replies for them, no wait for the others. */
class SampleSlowPeerFaultTests extends SampleFaultScenario {

    @Test
    void aByteAtATimeKvClientGetsExactRepliesWhileOthersAreServed() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        StringBuilder expected = new StringBuilder();
        String key = "slow:" + System.nanoTime();
        for (int c = 0; c < 10; c++) {
            String value = "v".repeat(c * 7) + c;
            b.writeBytes(Peers.cmd("SET", key, value));
            b.writeBytes(Peers.bytes("GET " + key + "\r\n")); // inline too
            expected.append("+OK\r\n$")
                    .append(value.length())
                    .append("\r\n")
                    .append(value)
                    .append("\r\n");
        }
        byte[] stream = b.toByteArray();
        Socket slow = socket("kv");
        Socket other = socket("kv");
        OutputStream out = slow.getOutputStream();
        for (int i = 0; i < stream.length; i++) {
            out.write(stream[i]); // TCP_NODELAY: one segment per byte
            if (i % 40 == 0) { // while the slow client is mid-command, another is answered
                other.getOutputStream().write(Peers.cmd("PING"));
                assertThat(Peers.text(Peers.read(other.getInputStream(), 7))).isEqualTo("+PONG\r\n");
            }
        }
        assertThat(Peers.text(Peers.read(slow.getInputStream(), expected.length())))
                .isEqualTo(expected.toString());
    }

    @Test
    void aByteAtATimeEchoClientGetsEveryByteBackInOrder() throws Exception {
        byte[] stream = new byte[600];
        new java.util.Random(13).nextBytes(stream);
        Socket slow = socket("echo");
        Socket other = socket("echo");
        for (int i = 0; i < stream.length; i++) {
            slow.getOutputStream().write(stream[i]);
            if (i % 40 == 0) {
                other.getOutputStream().write(i);
                assertThat(other.getInputStream().read()).isEqualTo(i & 0xff);
            }
        }
        assertThat(Peers.read(slow.getInputStream(), stream.length)).isEqualTo(stream);
    }
}
