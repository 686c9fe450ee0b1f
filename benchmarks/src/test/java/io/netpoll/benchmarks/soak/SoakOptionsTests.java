package io.netpoll.benchmarks.soak;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SoakOptionsTests {

    private static final String[] REQUIRED = {"--echo-port=1", "--proxy-port=2", "--http-port=3", "--pid=4"};

    @Test
    void defaultsAreTenMinutesSampledEveryFiveSecondsWithAOneMinuteWarmup() {
        SoakOptions o = SoakOptions.parse(REQUIRED);
        assertThat(o.duration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(o.outDir()).isEqualTo(Path.of("target/soak"));
        assertThat(o.appLog()).isNull();
        assertThat(o.echoConnections()).isEqualTo(4);
        assertThat(o.churnRate()).isEqualTo(200);
    }

    @Test
    void aShortRunWarmsUpForAFifthOfIt() {
        SoakOptions o = SoakOptions.parse(concat(REQUIRED, "--duration=60s", "--seed=7", "--app-log=app.log"));
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(12));
        assertThat(o.seed()).isEqualTo(7);
        assertThat(o.appLog()).isEqualTo(Path.of("app.log"));
    }

    @Test
    void durationsTakeSecondsMinutesHoursAndMilliseconds() {
        assertThat(SoakOptions.parseDuration("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(SoakOptions.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(SoakOptions.parseDuration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(SoakOptions.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(SoakOptions.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThatIllegalArgumentException().isThrownBy(() -> SoakOptions.parseDuration("ten minutes"));
        assertThatIllegalArgumentException().isThrownBy(() -> SoakOptions.parseDuration("0s"));
    }

    @Test
    void unknownMissingOrMalformedOptionsAreRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SoakOptions.parse(concat(REQUIRED, "--nope=1")))
                .withMessageContaining("nope");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SoakOptions.parse("--echo-port=1"))
                .withMessageContaining("--proxy-port");
        assertThatIllegalArgumentException().isThrownBy(() -> SoakOptions.parse(concat(REQUIRED, "duration")));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SoakOptions.parse("--echo-port=70000", "--proxy-port=2", "--http-port=3", "--pid=4"));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SoakOptions.parse(concat(REQUIRED, "--duration=1m", "--warmup=2m")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
