/**
 * netpoll's TLS settings and results: {@link io.netpoll.tls.TlsConfig} ({@code Option.tls}),
 * {@link io.netpoll.tls.TlsSessionInfo}, {@link io.netpoll.tls.TlsStats}. Types are non-null unless annotated {@code @Nullable} (JSpecify).
 */
@NullMarked
package io.netpoll.tls;

import org.jspecify.annotations.NullMarked;
