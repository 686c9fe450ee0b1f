package io.netpoll.benchmarks.soak;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

class AppLogTests {

    @Test
    void countsLeakReportsAndErrorLinesButNotTheirStackLines(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("app.log");
        Files.writeString(
                log,
                String.join(
                        "\n",
                        "2026-01-01T00:00:00.000Z  INFO 1 --- [app] [main] x.Y : Started",
                        "2026-01-01T00:00:01.000Z  WARN 1 --- [app] [poller-0] io.netpoll.buffer.leak : LEAK: a 4096-byte "
                                + "buffer node was garbage-collected without being released. It was taken at:",
                        "\tat io.netpoll.buffer.LeakDetector.onTake(LeakDetector.java:40)",
                        "2026-01-01T00:00:02.000Z ERROR 1 --- [app] [worker-1] x.Z : something broke",
                        "2026-01-01T00:00:03.000Z  WARN 1 --- [app] [poller-0] io.netpoll.buffer.leak : LEAK: a 64-byte "
                                + "buffer node was garbage-collected without being released."));
        Files.write(log, new byte[] {(byte) 0xff, '\n'}, StandardOpenOption.APPEND); // not UTF-8
        AppLog read = AppLog.read(log);
        assertThat(read.leakReports()).isEqualTo(2);
        assertThat(read.errorLines()).isEqualTo(1);
        assertThat(read.firstLeaks()).hasSize(2).allSatisfy(l -> assertThat(l).contains("LEAK: a "));
    }
}
