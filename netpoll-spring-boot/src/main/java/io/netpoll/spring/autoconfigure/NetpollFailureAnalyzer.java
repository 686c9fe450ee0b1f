package io.netpoll.spring.autoconfigure;

import io.netpoll.spring.server.NetpollStartupException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * Reports a {@link NetpollStartupException} (port in use, two handlers for one server, a
 * handler for a server that is not configured, ...) with what to change, and a {@code netpoll.*}
 * property that failed validation with the key, the value <em>as the user wrote it</em> and its
 * origin.
 * <p>
 * Why the second: {@link NetpollProperties} validates the bound objects, so Boot's own report
 * ({@code BindValidationFailureAnalyzer}) shows the field's converted value
 * ({@code Value: "PT-1S"} for {@code read-timeout=-1s}, a byte count for a size) and the Java
 * field name ({@code readTimeout}). This analyzer runs before Boot's and takes the value and the
 * origin from the bound property ({@link ValidationErrors#getBoundProperties()}: the source's
 * value, such as {@code "-1s"}, and its file and line), falling back to Boot's format for an
 * error no key was bound to. Other binding failures are left to Boot's analyzers.
 * <p>
 * Stateless and thread-safe.
 *
 * @author netpoll-java
 */
class NetpollFailureAnalyzer implements FailureAnalyzer, Ordered {

    private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of("netpoll");

    @Override
    public @Nullable FailureAnalysis analyze(Throwable failure) {
        NetpollStartupException startup = findCause(failure, NetpollStartupException.class);
        if (startup != null) {
            return new FailureAnalysis(startup.getDescription(), startup.getAction(), startup);
        }
        BindValidationException validation = findCause(failure, BindValidationException.class);
        if (validation != null && isNetpoll(validation.getValidationErrors().getName())) {
            return analyze(validation, findCause(failure, BindException.class));
        }
        return null;
    }

    /** Before Boot's binding analyzers, which would report the converted value. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    private static boolean isNetpoll(ConfigurationPropertyName name) {
        return PREFIX.equals(name) || PREFIX.isAncestorOf(name);
    }

    private static FailureAnalysis analyze(BindValidationException validation, @Nullable BindException bind) {
        ValidationErrors errors = validation.getValidationErrors();
        Object target = (bind != null) ? bind.getTarget().getType() : errors.getName();
        StringBuilder description = new StringBuilder(String.format("Binding to target %s failed:%n", target));
        for (ObjectError error : errors.getAllErrors()) {
            if (error instanceof FieldError field) {
                appendField(description, errors, field);
            }
            description.append(String.format("%n    Reason: %s%n", error.getDefaultMessage()));
        }
        return new FailureAnalysis(description.toString(), "Update your application's configuration", validation);
    }

    private static void appendField(StringBuilder description, ValidationErrors errors, FieldError field) {
        // The field is a Java property name (readTimeout) when the nested object was validated on
        // its own, or a dashed path (servers.admin.port) when the whole tree was.
        ConfigurationPropertyName key = errors.getName().append(DataObjectPropertyName.toDashedForm(field.getField()));
        ConfigurationProperty bound = errors.getBoundProperties().stream()
                .filter((property) -> property.getName().equals(key))
                .findFirst()
                .orElse(null);
        Object value = (bound != null) ? bound.getValue() : field.getRejectedValue();
        Origin origin = (bound != null) ? bound.getOrigin() : Origin.from(field);
        description.append(String.format("%n    Property: %s", key));
        description.append(String.format("%n    Value: \"%s\"", value));
        if (origin != null) {
            description.append(String.format("%n    Origin: %s", origin));
        }
    }

    private static <E extends Throwable> @Nullable E findCause(@Nullable Throwable failure, Class<E> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
