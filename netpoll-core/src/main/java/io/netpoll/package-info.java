/**
 * netpoll's API: {@link io.netpoll.Netpoll} (listeners, event loops, dialers),
 * {@link io.netpoll.EventLoop}, {@link io.netpoll.Dialer}, {@link io.netpoll.Connection}, the
 * typed settings ({@link io.netpoll.Option}, {@link io.netpoll.ServerConfig},
 * {@link io.netpoll.DialerConfig}) and the callbacks. Types are non-null unless annotated
 * {@code @Nullable} (JSpecify).
 */
@NullMarked
package io.netpoll;

import org.jspecify.annotations.NullMarked;
