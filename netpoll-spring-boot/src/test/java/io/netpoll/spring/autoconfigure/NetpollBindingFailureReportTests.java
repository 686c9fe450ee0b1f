package io.netpoll.spring.autoconfigure;

import io.netpoll.spring.test.WatchBufferPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A {@code netpoll.*} value our validation rejects is reported as the user wrote it ("-1s", not
 * the converted {@code PT-1S}), under its dashed key, with its origin: Boot's own report would
 * show the bound field's converted value and Java name ({@link NetpollFailureAnalyzer}).
 */
@ExtendWith(OutputCaptureExtension.class)
class NetpollBindingFailureReportTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withInitializer(new WatchBufferPools())
            .withConfiguration(
                    AutoConfigurations.of(NetpollAutoConfiguration.class, NetpollServerAutoConfiguration.class));

    @Test
    void anApplicationThatFailsToStartReportsTheValueAsWrittenWithItsFileAndLine(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE);
        assertThatException().isThrownBy(() -> application.run("--spring.config.name=netpoll-bad-read-timeout"));
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains("Property: netpoll.server.connection.read-timeout")
                .contains("Value: \"-1s\"")
                // the file and the line (4) of the key
                .contains("Origin: class path resource [netpoll-bad-read-timeout.properties] - 4:")
                .contains("Reason: must not be negative")
                .doesNotContain("PT-1S")
                .doesNotContain("readTimeout");
    }

    @Test
    void durationsAndSizesOfEverySectionAreReportedAsWritten() {
        assertReported("netpoll.servers.admin.connection.idle-timeout=-5m", "-5m");
        assertReported("netpoll.dialer.connection.write-timeout=-250ms", "-250ms");
        assertReported("netpoll.server.shutdown.grace-period=-1s", "-1s");
        assertReported("netpoll.dialer.receive-buffer-size=-4KB", "-4KB");
        assertReported("netpoll.buffer.max-pooled-memory=-1MB", "-1MB");
    }

    @Test
    void otherBindingFailuresAreLeftToBoot() {
        this.contextRunner.withPropertyValues("spring.main.banner-mode=oops").run((context) -> {
            // not a netpoll key: our analyzer has nothing to say
            assertThat(new NetpollFailureAnalyzer().analyze(new IllegalStateException("x")))
                    .isNull();
        });
        this.contextRunner.withPropertyValues("netpoll.server.network=udp").run((context) -> {
            // a conversion failure, not a validation error: Boot's report (it lists the valid values)
            assertThat(new NetpollFailureAnalyzer().analyze(context.getStartupFailure()))
                    .isNull();
        });
    }

    private void assertReported(String property, String written) {
        String key = property.substring(0, property.indexOf('='));
        this.contextRunner.withPropertyValues(property).run((context) -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = NetpollAutoConfigurationTests.analyze(context.getStartupFailure());
            assertThat(analysis).as(property).isNotNull();
            assertThat(analysis.getDescription())
                    .as(property)
                    .contains("Property: " + key + "\n")
                    .contains("Value: \"" + written + "\"")
                    .contains("Origin: \"" + key + "\" from property source");
            assertThat(analysis.getAction()).isEqualTo("Update your application's configuration");
        });
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({NetpollAutoConfiguration.class, NetpollServerAutoConfiguration.class})
    static class App {}
}
