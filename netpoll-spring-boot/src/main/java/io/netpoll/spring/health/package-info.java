/**
 * Health indicators for netpoll servers.
 */
@NullMarked
package io.netpoll.spring.health;

import org.jspecify.annotations.NullMarked;
