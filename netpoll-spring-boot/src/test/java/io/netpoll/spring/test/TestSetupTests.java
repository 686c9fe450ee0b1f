package io.netpoll.spring.test;

import io.netpoll.buffer.BufferLeakCheckExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.Extension;

import java.io.InputStream;
import java.util.Properties;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The buffer leak check runs after every test of this module: netpoll-core's extension from its
 * test-jar, registered through JUnit's auto-detection.
 */
class TestSetupTests {

    @Test
    void theLeakCheckIsAutoDetectedForEveryTest() throws Exception {
        Properties properties = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("junit-platform.properties")) {
            assertThat(in)
                    .as("junit-platform.properties on the test class path")
                    .isNotNull();
            properties.load(in);
        }
        assertThat(properties.getProperty("junit.jupiter.extensions.autodetection.enabled"))
                .isEqualTo("true");
        assertThat(ServiceLoader.load(Extension.class).stream().map(ServiceLoader.Provider::type))
                .contains(BufferLeakCheckExtension.class);
    }
}
