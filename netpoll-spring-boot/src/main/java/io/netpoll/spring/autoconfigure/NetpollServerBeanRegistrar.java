package io.netpoll.spring.autoconfigure;

import io.netpoll.EventLoop;
import io.netpoll.OnRequest;
import io.netpoll.spring.annotation.NetpollHandler;
import io.netpoll.spring.server.NetpollServer;
import io.netpoll.spring.server.NetpollStartupException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.RuntimeBeanReference;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

import java.util.ArrayList;
import java.util.List;

/**
 * Declares, for each enabled server in {@code netpoll.server} / {@code netpoll.servers.<name>}
 * that has a handler, an {@link EventLoop} bean ({@code netpollEventLoop} or
 * {@code netpollEventLoop.<name>}) and a {@link NetpollServer} bean ({@code netpollServer} or
 * {@code netpollServer.<name>}).
 * <p>
 * The number of servers comes from properties, so these beans cannot be plain {@code @Bean}
 * methods. This runs after every other bean definition is known (user configuration and
 * component scanning included), so it can find the {@link NetpollHandler @NetpollHandler} beans
 * by annotation without creating them, check that each server has exactly one, and back off
 * per server when the application already defines an {@code EventLoop} bean of that name.
 * <p>
 * Three steps: it binds {@code netpoll.*}; {@link NetpollServerPlan} decides which servers to
 * declare; each is declared as factory methods of {@link NetpollEventLoopFactory} (bean class,
 * method name and arguments only, so that the AOT engine can generate code for them). Nothing is
 * created here.
 * <p>
 * Rules, each failing startup with a {@link NetpollStartupException} when broken: two handlers
 * for one server; a handler naming a server that is not configured; a configured named server
 * without a handler; a handler bean that does not implement {@link OnRequest}. The default server
 * without a handler is simply not started (a client-only application).
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public final class NetpollServerBeanRegistrar
        implements BeanDefinitionRegistryPostProcessor, BeanRegistrationAotProcessor, Ordered {

    private static final Log logger = LogFactory.getLog(NetpollServerBeanRegistrar.class);

    private final Environment environment;

    NetpollServerBeanRegistrar(Environment environment) {
        this.environment = environment;
    }

    /**
     * Bean name of a server's {@link EventLoop}.
     * @param serverName the server name
     * @return {@code netpollEventLoop} for the default server, else {@code netpollEventLoop.<name>}
     */
    public static String eventLoopBeanName(String serverName) {
        return NetpollServer.DEFAULT_NAME.equals(serverName) ? "netpollEventLoop" : "netpollEventLoop." + serverName;
    }

    /**
     * Bean name of a {@link NetpollServer}.
     * @param serverName the server name
     * @return {@code netpollServer} for the default server, else {@code netpollServer.<name>}
     */
    public static String serverBeanName(String serverName) {
        return NetpollServer.DEFAULT_NAME.equals(serverName) ? "netpollServer" : "netpollServer." + serverName;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
        if (!(registry instanceof ConfigurableListableBeanFactory beanFactory)) {
            return;
        }
        // Bound (and validated, so a bad value is reported as such) before the properties bean
        // exists: the set of servers decides which beans to register.
        NetpollProperties properties = new NetpollProperties();
        Binder.get(this.environment)
                .bind("netpoll", Bindable.ofInstance(properties), new ValidationBindHandler(properties));
        List<String> warnings = new ArrayList<>();
        List<NetpollServerPlan.Entry> plan = NetpollServerPlan.plan(
                properties.serversByName(),
                findHandlers(beanFactory),
                (name) -> registry.containsBeanDefinition(eventLoopBeanName(name)),
                warnings);
        warnings.forEach(logger::warn);
        for (NetpollServerPlan.Entry entry : plan) {
            register(registry, entry);
        }
    }

    /**
     * Plain definitions: a factory method of {@link NetpollEventLoopFactory} with the server
     * name and bean references as arguments, which Spring's AOT engine writes as code (no
     * instance supplier, no reflection at run time). The references make the handler outlive its
     * event loop and the event loop its server, on shutdown.
     */
    private static void register(BeanDefinitionRegistry registry, NetpollServerPlan.Entry entry) {
        String name = entry.name();
        if (entry.handlerBeanName() != null) {
            RootBeanDefinition eventLoop = new RootBeanDefinition();
            eventLoop.setTargetType(EventLoop.class);
            eventLoop.setFactoryBeanName(NetpollEventLoopFactory.BEAN_NAME);
            eventLoop.setFactoryMethodName("createEventLoop");
            eventLoop.getConstructorArgumentValues().addIndexedArgumentValue(0, name);
            eventLoop
                    .getConstructorArgumentValues()
                    .addIndexedArgumentValue(1, new RuntimeBeanReference(entry.handlerBeanName()));
            registry.registerBeanDefinition(eventLoopBeanName(name), eventLoop);
        }
        RootBeanDefinition server = new RootBeanDefinition();
        server.setTargetType(NetpollServer.class);
        server.setFactoryBeanName(NetpollEventLoopFactory.BEAN_NAME);
        server.setFactoryMethodName("createServer");
        server.getConstructorArgumentValues().addIndexedArgumentValue(0, name);
        server.getConstructorArgumentValues()
                .addIndexedArgumentValue(1, new RuntimeBeanReference(eventLoopBeanName(name)));
        server.getConstructorArgumentValues().addIndexedArgumentValue(2, entry.ownEventLoop());
        server.setDestroyMethodName("stop");
        registry.registerBeanDefinition(serverBeanName(name), server);
    }

    private static List<NetpollServerPlan.Handler> findHandlers(ConfigurableListableBeanFactory beanFactory) {
        List<NetpollServerPlan.Handler> handlers = new ArrayList<>();
        for (String beanName : beanFactory.getBeanDefinitionNames()) {
            BeanDefinition definition = beanFactory.getBeanDefinition(beanName);
            if (definition.isAbstract()) {
                continue;
            }
            NetpollHandler annotation = beanFactory.findAnnotationOnBean(beanName, NetpollHandler.class, false);
            if (annotation != null) {
                handlers.add(new NetpollServerPlan.Handler(
                        beanName, annotation.server(), beanFactory.getType(beanName, false)));
            }
        }
        return handlers;
    }

    /**
     * The registrar runs when the AOT engine refreshes the context at build time; the
     * definitions it registers are then part of the generated code, so it is left out of it
     * (running it again at run time would register them twice).
     */
    @Override
    public @Nullable BeanRegistrationAotContribution processAheadOfTime(RegisteredBean registeredBean) {
        return null;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {}
}
