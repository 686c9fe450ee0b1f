package io.netpoll.sample.faults;

import io.netpoll.NetStats;
import io.netpoll.buffer.BufferPool;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A peer that sends 64 MiB without reading the replies: the server stops reading at its input
 * limit (1 MB here), its memory stays bounded, and once the peer reads, every reply arrives,
 * in order, nothing lost.
 */
class SampleFloodFaultTests extends SampleFaultScenario {

    private static final long FLOOD = 64L << 20;

    /** Bytes of buffer memory the server may hold for the flooding connection: the input limit, one read turn, the output in flight. */
    private static final long BOUND = 8L << 20;

    @Test
    void echoFloodedWithoutReadingHoldsBoundedMemoryAndLosesNoByte() throws Exception {
        NetStats echo = server("echo").getEventLoop().stats();
        Socket s = socket("echo");
        long usedBefore = BufferPool.defaultPool().stats().usedBytes();
        Future<?> sending = exec.submit(() -> {
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[64 << 10];
            for (long sent = 0; sent < FLOOD; sent += chunk.length) {
                fill(chunk, sent);
                out.write(chunk);
            }
            return null;
        });
        awaitStalled(echo);
        assertThat(sending.isDone()).as("the peer's writes are blocked").isFalse();
        assertThat(BufferPool.defaultPool().stats().usedBytes() - usedBefore)
                .as("server memory")
                .isLessThanOrEqualTo(BOUND);

        InputStream in = s.getInputStream();
        byte[] expected = new byte[64 << 10];
        byte[] got = new byte[64 << 10];
        for (long read = 0; read < FLOOD; read += got.length) {
            fill(expected, read);
            assertThat(in.readNBytes(got, 0, got.length)).isEqualTo(got.length);
            if (!Arrays.equals(got, expected)) {
                throw new AssertionError("echo differs in the 64 KiB chunk at offset " + read);
            }
        }
        sending.get(10, TimeUnit.SECONDS);
    }

    @Test
    void kvPipelineOfSixtyFourMebibytesWithoutReadingHoldsBoundedMemoryAndLosesNoReply() throws Exception {
        NetStats kv = server("kv").getEventLoop().stats();
        int payload = 1000;
        int commands = (int) (FLOOD / (payload + 23)); // *2 $4 ECHO $1000 <payload>: 23 bytes of framing
        Socket s = socket("kv");
        long usedBefore = BufferPool.defaultPool().stats().usedBytes();
        Future<?> sending = exec.submit(() -> {
            OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 64 << 10);
            byte[] value = new byte[payload];
            byte[] header = "*2\r\n$4\r\nECHO\r\n$1000\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int c = 0; c < commands; c++) {
                value(value, c);
                out.write(header);
                out.write(value);
                out.write('\r');
                out.write('\n');
            }
            out.flush();
            return null;
        });
        awaitStalled(kv);
        assertThat(sending.isDone()).as("the peer's writes are blocked").isFalse();
        assertThat(BufferPool.defaultPool().stats().usedBytes() - usedBefore)
                .as("server memory")
                .isLessThanOrEqualTo(BOUND);

        InputStream in = new java.io.BufferedInputStream(s.getInputStream(), 64 << 10);
        byte[] expected = new byte[payload];
        byte[] header = "$1000\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] got = new byte[header.length + payload + 2];
        for (int c = 0; c < commands; c++) {
            assertThat(in.readNBytes(got, 0, got.length)).isEqualTo(got.length);
            value(expected, c);
            if (!Arrays.equals(got, 0, header.length, header, 0, header.length)
                    || !Arrays.equals(got, header.length, header.length + payload, expected, 0, payload)
                    || got[got.length - 2] != '\r'
                    || got[got.length - 1] != '\n') {
                throw new AssertionError("reply " + c + " differs: " + new String(got, StandardCharsets.ISO_8859_1));
            }
        }
        sending.get(10, TimeUnit.SECONDS);
    }

    /** Waits until the server has stopped reading (its byte count holds still) after taking more than its limit. */
    private static void awaitStalled(NetStats stats) {
        long before = stats.bytesIn();
        AtomicLong last = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    long now = stats.bytesIn();
                    return last.getAndSet(now) == now && now - before > (1 << 20);
                });
    }

    /** The echo flood's bytes: a function of the offset, so both sides can check without storing 64 MiB. */
    private static void fill(byte[] chunk, long offset) {
        long x = offset / chunk.length * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < chunk.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            chunk[i] = (byte) x;
        }
    }

    /** The payload of command {@code c}: printable, a function of {@code c}. */
    private static void value(byte[] value, int c) {
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ('a' + (c + i) % 26);
        }
    }
}
