/**
 * Auto-configuration for netpoll: pollers, worker executor, dialer and servers from {@code netpoll.*} properties.
 */
@NullMarked
package io.netpoll.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
