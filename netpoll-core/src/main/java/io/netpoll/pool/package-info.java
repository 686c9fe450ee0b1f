/**
 * netpoll's client connections pooled per remote address: {@link io.netpoll.pool.ConnectionPool}. Types are non-null unless annotated {@code @Nullable} (JSpecify).
 */
@NullMarked
package io.netpoll.pool;

import org.jspecify.annotations.NullMarked;
