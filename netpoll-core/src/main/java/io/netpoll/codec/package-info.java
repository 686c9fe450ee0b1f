/**
 * netpoll's frame decoders over any {@link io.netpoll.buffer.Reader}: {@link io.netpoll.codec.LineFrameDecoder},
 * {@link io.netpoll.codec.LengthFieldFrameDecoder}. Types are non-null unless annotated {@code @Nullable} (JSpecify).
 */
@NullMarked
package io.netpoll.codec;

import org.jspecify.annotations.NullMarked;
