/**
 * Auto-configuration for netpoll metrics.
 */
@NullMarked
package io.netpoll.spring.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
