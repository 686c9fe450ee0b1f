package io.netpoll.buffer;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class LeakDetectionTests {

    private final List<LeakReport> reports = new CopyOnWriteArrayList<>();

    @Test
    void aBufferDroppedWithoutCloseIsReportedWithWhereItsNodeWasTaken() {
        BufferPool pool = BufferPool.create(1 << 20, LeakDetection.PARANOID, reports::add);
        dropABufferWithData(pool);

        awaitReports(pool, 1);

        LeakReport report = reports.get(0);
        assertThat(report.capacity()).isEqualTo(LinkBuffer.DEFAULT_NODE_SIZE);
        assertThat(Arrays.stream(report.takenAt().getStackTrace()).map(StackTraceElement::getMethodName))
                .contains("dropABufferWithData");
        assertThat(report.toString())
                .startsWith("LEAK: a 4096-byte buffer node")
                .contains("dropABufferWithData");
        BufferPoolStats stats = pool.stats();
        assertThat(stats.leaksDetected()).isEqualTo(1);
        assertThat(stats.outstandingNodes())
                .as("a reported leak no longer counts as outstanding")
                .isZero();
        assertThat(stats.usedBytes()).isZero();
    }

    @Test
    void buffersThatAreClosedOrEmptiedAreNeverReported() {
        BufferPool pool = BufferPool.create(1 << 20, LeakDetection.PARANOID, reports::add);
        for (int i = 0; i < 100; i++) {
            LinkBuffer closed = new LinkBuffer(pool);
            closed.writeBinary(new byte[100 + i]);
            closed.flush();
            closed.close();
            LinkBuffer emptied = new LinkBuffer(pool);
            emptied.writeBinary(new byte[5000]);
            emptied.flush();
            emptied.skip(5000);
            emptied.release();
        }
        // A leak, dropped after the others, proves that collection and reporting ran.
        dropABufferWithData(pool);
        awaitReports(pool, 1);
        assertThat(reports).hasSize(1);
        assertThat(pool.stats().outstandingNodes()).isZero();
    }

    @Test
    void sampleTracksAboutOneNodeInTheSamplingInterval() {
        BufferPool pool = BufferPool.create(1 << 20, LeakDetection.SAMPLE, reports::add);
        // Random sampling: with 32 intervals' worth of leaks, finding none has probability e^-32.
        int leaked = 32 * LeakDetection.SAMPLING_INTERVAL;
        for (int i = 0; i < leaked; i++) {
            dropABufferWithData(pool, BufferPool.MIN_NODE_SIZE);
        }
        awaitReports(pool, 1);
        BufferPoolStats stats = pool.stats();
        assertThat(stats.leaksDetected()).isEqualTo(reports.size()).isLessThan(leaked / 4);
        assertThat(stats.outstandingNodes())
                .as("untracked leaks stay counted")
                .isEqualTo(leaked - stats.leaksDetected());
    }

    @Test
    void disabledTracksNothing() {
        BufferPool pool = BufferPool.create(1 << 20, LeakDetection.DISABLED, reports::add);
        dropABufferWithData(pool);
        // Collect until a tracked leak in a paranoid pool shows that garbage was really collected.
        BufferPool witness = BufferPool.create(1 << 20, LeakDetection.PARANOID, reports::add);
        dropABufferWithData(witness);
        awaitReports(witness, 1);
        assertThat(pool.stats().leaksDetected()).isZero();
        assertThat(pool.stats().outstandingNodes()).isEqualTo(1);
    }

    @Test
    void anUnknownLevelInTheSystemPropertyIsAClearError() {
        String previous = System.getProperty("netpoll.leakDetection.level");
        System.setProperty("netpoll.leakDetection.level", "loud");
        try {
            assertThatThrownBy(LeakDetection::fromSystemProperty)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("netpoll.leakDetection.level must be one of disabled, sample, paranoid: loud");
        } finally {
            if (previous == null) {
                System.clearProperty("netpoll.leakDetection.level");
            } else {
                System.setProperty("netpoll.leakDetection.level", previous);
            }
        }
    }

    private static void dropABufferWithData(BufferPool pool) {
        dropABufferWithData(pool, LinkBuffer.DEFAULT_NODE_SIZE);
    }

    private static void dropABufferWithData(BufferPool pool, int nodeSize) {
        LinkBuffer buffer = new LinkBuffer(pool, nodeSize);
        buffer.writeBinary(new byte[] {1, 2, 3});
        buffer.flush();
    }

    private void awaitReports(BufferPool pool, int count) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    System.gc();
                    pool.stats();
                    return reports.size() >= count;
                });
    }
}
