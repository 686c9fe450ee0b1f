package io.netpoll.spring.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.ObservationConvention;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/metrics.md documents every observation of {@link NetpollObservationDocumentation} by the
 * name its default convention gives and every low-cardinality key; the documented convention is
 * the one the decorator uses by default.
 */
class NetpollObservationDocumentationTests {

    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void everyObservationAndKeyIsInMetricsMd() throws Exception {
        String doc = Files.readString(DOCS.resolve("metrics.md"));
        for (NetpollObservationDocumentation observation : NetpollObservationDocumentation.values()) {
            ObservationConvention<?> convention =
                    observation.getDefaultConvention().getDeclaredConstructor().newInstance();
            assertThat(convention.getName()).startsWith(observation.getPrefix());
            assertThat(doc).contains("`" + convention.getName() + "`");
            for (KeyName key : observation.getLowCardinalityKeyNames()) {
                assertThat(doc).as(key.asString()).contains("`" + key.asString() + "`");
            }
            assertThat(doc).contains("`" + observation.name() + "`");
        }
    }
}
