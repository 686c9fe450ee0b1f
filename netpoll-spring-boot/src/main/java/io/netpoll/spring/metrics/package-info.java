/**
 * Micrometer metrics for netpoll servers, pollers, buffers and the dialer.
 */
@NullMarked
package io.netpoll.spring.metrics;

import org.jspecify.annotations.NullMarked;
