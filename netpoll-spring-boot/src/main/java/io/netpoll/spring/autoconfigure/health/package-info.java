/**
 * Auto-configuration for the netpoll health contributor.
 */
@NullMarked
package io.netpoll.spring.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
