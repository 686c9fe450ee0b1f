/**
 * netpoll's many threads writing whole messages to one connection: {@link io.netpoll.mux.ShardQueue}. Types are non-null unless annotated {@code @Nullable} (JSpecify).
 */
@NullMarked
package io.netpoll.mux;

import org.jspecify.annotations.NullMarked;
