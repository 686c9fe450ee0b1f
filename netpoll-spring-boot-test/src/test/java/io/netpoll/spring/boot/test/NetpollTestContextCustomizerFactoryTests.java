package io.netpoll.spring.boot.test;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.support.TestPropertySourceUtils;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link NetpollTestContextCustomizerFactory}.
 */
class NetpollTestContextCustomizerFactoryTests {

    private final NetpollTestContextCustomizerFactory factory = new NetpollTestContextCustomizerFactory();

    @Test
    void notForATestWithoutSpringBootTest() {
        assertThat(this.factory.createContextCustomizer(Plain.class, List.of())).isNull();
    }

    @Test
    void everyConfiguredServerGetsARandomPortAndTheContextATestClient() {
        GenericApplicationContext context = customize(
                RandomPorts.class,
                "netpoll.server.port=8888",
                "netpoll.servers.kv.port=6380",
                "netpoll.servers.proxy.address=127.0.0.1");
        assertThat(context.getEnvironment().getProperty("netpoll.server.port")).isEqualTo("0");
        assertThat(context.getEnvironment().getProperty("netpoll.servers.kv.port"))
                .isEqualTo("0");
        assertThat(context.getEnvironment().getProperty("netpoll.servers.proxy.port"))
                .isEqualTo("0");
        assertThat(context.containsBeanDefinition(NetpollTestContextCustomizerFactory.CLIENT_BEAN_NAME))
                .isTrue();
    }

    @Test
    void inlinedTestPropertiesStillPinAPort() {
        GenericApplicationContext context = new GenericApplicationContext();
        TestPropertyValues.of("netpoll.servers.kv.port=6380").applyTo(context);
        TestPropertySourceUtils.addInlinedPropertiesToEnvironment(context, "netpoll.servers.kv.port=7000");
        customize(RandomPorts.class, context);
        assertThat(context.getEnvironment().getProperty("netpoll.servers.kv.port"))
                .isEqualTo("7000");
    }

    @Test
    void definedPortsKeepTheConfiguredPorts() {
        GenericApplicationContext context = customize(DefinedPorts.class, "netpoll.server.port=8888");
        assertThat(context.getEnvironment().getProperty("netpoll.server.port")).isEqualTo("8888");
        context = customize(DefinedWebPort.class, "netpoll.server.port=8888");
        assertThat(context.getEnvironment().getProperty("netpoll.server.port")).isEqualTo("8888");
    }

    @Test
    void customizersOfEqualSettingsAreEqualSoContextsAreCached() {
        assertThat(this.factory.createContextCustomizer(RandomPorts.class, List.of()))
                .isEqualTo(this.factory.createContextCustomizer(RandomPorts.class, List.of()))
                .isNotEqualTo(this.factory.createContextCustomizer(DefinedPorts.class, List.of()));
    }

    private GenericApplicationContext customize(Class<?> testClass, String... properties) {
        GenericApplicationContext context = new GenericApplicationContext();
        TestPropertyValues.of(properties).applyTo(context);
        return customize(testClass, context);
    }

    private GenericApplicationContext customize(Class<?> testClass, GenericApplicationContext context) {
        ContextCustomizer customizer = this.factory.createContextCustomizer(testClass, List.of());
        assertThat(customizer).isNotNull();
        customizer.customizeContext(context, null);
        return context;
    }

    static class Plain {}

    @SpringBootTest
    static class RandomPorts {}

    @SpringBootTest
    @DefinedNetpollPorts
    static class DefinedPorts {}

    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
    static class DefinedWebPort {}
}
