package io.netpoll.spring.autoconfigure;

import io.netpoll.Dialer;
import io.netpoll.EventLoop;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollServers;
import io.netpoll.spring.test.EchoHandler;
import io.netpoll.spring.test.NetpollTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.test.tools.CompileWithForkedClassLoader;
import org.springframework.core.test.tools.TestCompiler;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AOT processing of an application with {@code @NetpollHandler} beans: what
 * {@code spring-boot:process-aot} does at build time, then the generated initializer run as
 * {@code -Dspring.aot.enabled=true} runs it.
 */
@Timeout(120)
class NetpollAotTests {

    private static final String[] PROPERTIES = {
        "netpoll.server.address=127.0.0.1",
        "netpoll.server.port=0",
        "netpoll.servers.admin.address=127.0.0.1",
        "netpoll.servers.admin.port=0"
    };

    @Test
    @SuppressWarnings("unchecked")
    @CompileWithForkedClassLoader
    void contextWithHandlersIsProcessedAheadOfTimeAndTheGeneratedInitializerStartsTheServers() {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        TestPropertyValues.of(PROPERTIES).applyTo(context);
        context.register(TwoServers.class);
        TestGenerationContext generationContext = new TestGenerationContext();
        ClassName className = new ApplicationContextAotGenerator().processAheadOfTime(context, generationContext);
        generationContext.writeGeneratedContent();
        // No reflection needed at run time for the server beans themselves; the hints the
        // starter contributes are registered.
        assertThat(RuntimeHintsPredicates.reflection().onType(NetpollFailureAnalyzer.class))
                .accepts(generationContext.getRuntimeHints());
        TestCompiler.forSystem().with(generationContext).compile((compiled) -> {
            try (GenericApplicationContext freshContext = new GenericApplicationContext()) {
                TestPropertyValues.of(PROPERTIES).applyTo(freshContext);
                ApplicationContextInitializer<GenericApplicationContext> initializer =
                        compiled.getInstance(ApplicationContextInitializer.class, className.toString());
                initializer.initialize(freshContext);
                freshContext.refresh();
                NetpollServers servers = freshContext.getBean(NetpollServers.class);
                assertThat(servers.asMap()).containsOnlyKeys("default", "admin");
                assertThat(servers.all()).allSatisfy((server) -> {
                    assertThat(server.getState()).isEqualTo(NetpollServer.State.SERVING);
                    assertThat(NetpollTestClient.echo(freshContext.getBean(Dialer.class), server.getPort(), "aot"))
                            .isEqualTo("aot");
                });
                assertThat(freshContext.getBeansOfType(EventLoop.class))
                        .containsOnlyKeys("netpollEventLoop", "netpollEventLoop.admin");
                // The registrar ran at build time only: its definitions are in the generated code.
                assertThat(freshContext.containsBean("netpollServerBeanRegistrar"))
                        .isFalse();
                assertThat(freshContext
                                .getBeanFactory()
                                .getBeanDefinition("netpollServer.admin")
                                .getRole())
                        .isEqualTo(BeanDefinition.ROLE_APPLICATION);
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({NetpollAutoConfiguration.class, NetpollServerAutoConfiguration.class})
    public static class TwoServers {

        @Bean
        @NetpollHandler
        public EchoHandler defaultHandler() {
            return new EchoHandler();
        }

        @Bean
        @NetpollHandler(server = "admin")
        public AdminHandler adminHandler(NetpollServers servers) {
            return new AdminHandler(servers);
        }
    }

    /**
     * Injects the servers, as the documentation suggests: no cycle.
     */
    public static class AdminHandler extends EchoHandler {

        final NetpollServers servers;

        public AdminHandler(NetpollServers servers) {
            this.servers = servers;
        }
    }
}
