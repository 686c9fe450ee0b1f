/**
 * Annotations for netpoll handler beans.
 */
@NullMarked
package io.netpoll.spring.annotation;

import org.jspecify.annotations.NullMarked;
