package io.netpoll.spring.boot.test;

import io.netpoll.spring.server.NetpollServerStartStopLifecycle;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;
import org.springframework.util.ReflectionUtils;

import java.lang.reflect.Field;

/**
 * Sets the {@link LocalNetpollPort @LocalNetpollPort} fields of a test instance, after the
 * application context started (so the servers are listening and their ports published).
 * Registered in {@code META-INF/spring.factories}; does nothing for a test without such fields.
 *
 * @author netpoll-java
 * @since 0.1.0
 */
public class LocalNetpollPortTestExecutionListener implements TestExecutionListener, Ordered {

    @Override
    public int getOrder() {
        // Right after dependency injection (2000), before the transactional listeners.
        return 2100;
    }

    @Override
    public void prepareTestInstance(TestContext testContext) {
        Object instance = testContext.getTestInstance();
        ReflectionUtils.doWithFields(
                testContext.getTestClass(),
                (field) -> inject(testContext, instance, field),
                (field) -> field.isAnnotationPresent(LocalNetpollPort.class));
    }

    private void inject(TestContext testContext, Object instance, Field field) {
        String server = field.getAnnotation(LocalNetpollPort.class).value();
        String property = NetpollServerStartStopLifecycle.portProperty(server);
        Environment environment = testContext.getApplicationContext().getEnvironment();
        Integer port = environment.getProperty(property, Integer.class);
        if (port == null) {
            throw new IllegalStateException("@LocalNetpollPort(\"" + server + "\") on " + field
                    + ": no '" + property + "' property; the server '" + server + "' did not start (is it configured,"
                    + " with a @NetpollHandler, listening on TCP?)");
        }
        Class<?> type = field.getType();
        Object value;
        if (type == int.class || type == Integer.class) {
            value = port;
        } else if (type == String.class) {
            value = String.valueOf(port);
        } else {
            throw new IllegalStateException("@LocalNetpollPort field " + field + " must be an int, Integer or String");
        }
        ReflectionUtils.makeAccessible(field);
        ReflectionUtils.setField(field, instance, value);
    }
}
