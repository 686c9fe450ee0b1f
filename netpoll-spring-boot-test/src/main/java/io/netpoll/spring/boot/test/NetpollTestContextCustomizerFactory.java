package io.netpoll.spring.boot.test;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.support.TestPropertySourceUtils;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * For a {@link SpringBootTest @SpringBootTest} class: every netpoll server listens on a random
 * free port (unless the class is annotated {@link DefinedNetpollPorts @DefinedNetpollPorts} or
 * uses {@code webEnvironment = DEFINED_PORT}), and the context has a {@link NetpollTestClient}
 * bean. Registered in {@code META-INF/spring.factories}.
 * <p>
 * The random ports ({@code port=0} for {@code netpoll.server} and each
 * {@code netpoll.servers.<name>}) rank below the test's inlined properties
 * ({@code @SpringBootTest(properties = ...)}, {@code @TestPropertySource}), which can still pin a
 * port, and above every other source (application.properties, the environment).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class NetpollTestContextCustomizerFactory implements ContextCustomizerFactory {

    /**
     * Name of the property source with the random ports.
     */
    public static final String PROPERTY_SOURCE_NAME = "netpollTestPorts";

    /**
     * Bean name of the test client.
     */
    public static final String CLIENT_BEAN_NAME = "netpollTestClient";

    @Override
    public @Nullable ContextCustomizer createContextCustomizer(
            Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        SpringBootTest springBootTest =
                TestContextAnnotationUtils.findMergedAnnotation(testClass, SpringBootTest.class);
        if (springBootTest == null) {
            return null;
        }
        boolean randomPorts = springBootTest.webEnvironment() != SpringBootTest.WebEnvironment.DEFINED_PORT
                && TestContextAnnotationUtils.findMergedAnnotation(testClass, DefinedNetpollPorts.class) == null;
        return new Customizer(randomPorts);
    }

    private record Customizer(boolean randomPorts) implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
            if (this.randomPorts) {
                addRandomPorts(context.getEnvironment());
            }
            if (context instanceof BeanDefinitionRegistry registry
                    && !registry.containsBeanDefinition(CLIENT_BEAN_NAME)) {
                registry.registerBeanDefinition(CLIENT_BEAN_NAME, new RootBeanDefinition(NetpollTestClient.class));
            }
        }

        private static void addRandomPorts(ConfigurableEnvironment environment) {
            Map<String, Object> ports = new LinkedHashMap<>();
            ports.put("netpoll.server.port", "0");
            Set<String> names = Binder.get(environment)
                    .bind("netpoll.servers", Bindable.mapOf(String.class, Object.class))
                    .map(Map::keySet)
                    .orElse(Set.of());
            names.forEach((name) -> ports.put("netpoll.servers." + name + ".port", "0"));
            MapPropertySource source = new MapPropertySource(PROPERTY_SOURCE_NAME, ports);
            MutablePropertySources sources = environment.getPropertySources();
            String inlined = TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME;
            if (sources.contains(inlined)) {
                sources.addAfter(inlined, source);
            } else {
                sources.addFirst(source);
            }
        }
    }
}
