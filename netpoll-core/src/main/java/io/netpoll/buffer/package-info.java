/**
 * netpoll's zero-copy buffers: {@link io.netpoll.buffer.Reader}, {@link io.netpoll.buffer.Writer},
 * {@link io.netpoll.buffer.LinkBuffer} and the {@link io.netpoll.buffer.BufferPool} they take
 * memory from. Types are non-null unless annotated {@code @Nullable} (JSpecify).
 */
@NullMarked
package io.netpoll.buffer;

import org.jspecify.annotations.NullMarked;
