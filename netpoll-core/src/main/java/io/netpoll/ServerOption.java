package io.netpoll;

/**
 * A setting of an {@link EventLoop}: either one that servers and dialers share (an
 * {@link Option}) or a server-only one ({@link Option#maxConnections}, {@link Option#onPrepare},
 * {@link Option#onConnect}). Sealed, so that a dialer-only setting handed to
 * {@link Netpoll#newEventLoop} does not compile. Options apply in order; the last one of a kind
 * wins. Immutable and thread-safe.
 *
 * @see ServerConfig
 */
public sealed interface ServerOption permits Option, Option.ServerOnly {}
