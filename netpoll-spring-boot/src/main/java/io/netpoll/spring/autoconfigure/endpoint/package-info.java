/**
 * Auto-configuration for the {@code netpoll} Actuator endpoint.
 */
@NullMarked
package io.netpoll.spring.autoconfigure.endpoint;

import org.jspecify.annotations.NullMarked;
