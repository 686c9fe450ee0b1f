/**
 * Annotations that mark netpoll handler beans.
 */
@NullMarked
package io.netpoll.spring.annotation;

import org.jspecify.annotations.NullMarked;
