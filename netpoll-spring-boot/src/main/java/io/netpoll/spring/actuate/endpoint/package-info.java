/**
 * The {@code netpoll} Actuator endpoint: a read-only view of servers, pollers, workers and buffer
 * memory.
 */
@NullMarked
package io.netpoll.spring.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
