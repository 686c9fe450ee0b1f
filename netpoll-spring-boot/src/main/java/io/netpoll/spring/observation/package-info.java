/**
 * Micrometer observations of netpoll servers: one observation per {@code OnRequest} call, for
 * Micrometer Tracing spans and Micrometer meters from one place.
 */
@NullMarked
package io.netpoll.spring.observation;

import org.jspecify.annotations.NullMarked;
