package io.netpoll.spring.test;

import io.netpoll.buffer.BufferLeakCheckExtension;
import io.netpoll.buffer.BufferPool;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Hands every {@link BufferPool} bean of a test's context to netpoll-core's leak check
 * ({@link BufferLeakCheckExtension#watch}), so the nodes of the context's own pool are checked
 * after the test like those of the default pool. Add it to each context runner:
 * {@code .withInitializer(new WatchBufferPools())}.
 */
public class WatchBufferPools implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        context.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {

            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof BufferPool pool) {
                    BufferLeakCheckExtension.watch(pool);
                }
                return bean;
            }
        });
    }
}
