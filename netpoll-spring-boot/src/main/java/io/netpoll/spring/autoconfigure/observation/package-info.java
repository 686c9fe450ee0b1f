/**
 * Auto-configuration for netpoll observations.
 */
@NullMarked
package io.netpoll.spring.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
