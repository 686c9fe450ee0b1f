package io.netpoll.sample.faults;

import io.netpoll.NetStats;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Peers of the echo, kv and proxy servers that reset their connection (RST) mid-request, hundreds at once. */
class SampleResetFaultTests extends SampleFaultScenario {

    private static final int CONNECTIONS = 200;

    @Test
    void resetInTheMiddleOfARequestOnHundredsOfConnectionsAtOnce() throws Exception {
        NetStats echo = server("echo").getEventLoop().stats();
        NetStats kv = server("kv").getEventLoop().stats();
        NetStats proxy = server("proxy").getEventLoop().stats();
        long echoIn = echo.bytesIn();
        long kvIn = kv.bytesIn();
        long proxyIn = proxy.bytesIn();
        long errors = echo.handlerErrors() + kv.handlerErrors() + proxy.handlerErrors();
        long toEcho = 0;
        long toKv = 0;
        long toProxy = 0;
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            Socket s;
            switch (i % 4) {
                case 0 -> { // half a command: the bulk stops after 40 of 100 bytes
                    s = socket("kv");
                    b.writeBytes(Peers.bytes("*3\r\n$3\r\nSET\r\n$5\r\nreset\r\n$100\r\n" + "x".repeat(40)));
                    toKv += b.size();
                }
                case 1 -> { // fifty commands whose replies are never read, then half of one
                    s = socket("kv");
                    for (int c = 0; c < 50; c++) {
                        b.writeBytes(Peers.cmd("SET", "reset:" + i + ":" + c, "v"));
                    }
                    b.writeBytes(Peers.bytes("*2\r\n$3\r\nGE"));
                    toKv += b.size();
                }
                case 2 -> { // 64 KiB whose echo is never read
                    s = socket("echo");
                    b.writeBytes(new byte[64 << 10]);
                    toEcho += b.size();
                }
                default -> { // half a command, through the proxy
                    s = socket("proxy");
                    b.writeBytes(Peers.bytes("*2\r\n$4\r\nECHO\r\n$1000\r\n" + "y".repeat(10)));
                    toProxy += b.size();
                }
            }
            s.getOutputStream().write(b.toByteArray());
            sockets.add(s);
        }
        long e = toEcho;
        long k = toKv + toProxy; // the proxy forwards to kv
        long p = toProxy;
        // Every byte has arrived: each connection sits in the middle of a request.
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        echo.bytesIn() - echoIn == e && kv.bytesIn() - kvIn == k && proxy.bytesIn() - proxyIn == p);

        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> resetters = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int first = t;
            resetters.add(exec.submit(() -> {
                go.await();
                for (int i = first; i < sockets.size(); i += 4) {
                    sockets.get(i).setSoLinger(true, 0); // close() sends a reset
                    sockets.get(i).close();
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : resetters) {
            f.get(10, TimeUnit.SECONDS);
        }

        await().atMost(Duration.ofSeconds(15))
                .until(() -> echo.connectionsActive() + kv.connectionsActive() + proxy.connectionsActive() == 0);
        assertThat(echo.handlerErrors() + kv.handlerErrors() + proxy.handlerErrors())
                .as("a reset is not the handler's fault")
                .isEqualTo(errors);
        assertThat(Peers.echoServes(port("echo"))).isTrue();
        assertThat(Peers.kvServes(port("kv"))).isTrue();
        assertThat(Peers.kvServes(port("proxy"))).isTrue();
    }
}
