/**
 * Runtime types of netpoll servers in a Spring application context: the server beans, their lifecycle, events and extension points.
 */
@NullMarked
package io.netpoll.spring.server;

import org.jspecify.annotations.NullMarked;
