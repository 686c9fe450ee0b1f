package io.netpoll;

/**
 * A setting of a {@link Dialer}: either one that servers and dialers share (an {@link Option})
 * or a dialer-only one ({@link Option#connectTimeout}). Sealed, so that a server-only setting
 * handed to {@link Netpoll#newDialer} does not compile. Options apply in order; the last one of a
 * kind wins. Immutable and thread-safe.
 *
 * @see DialerConfig
 */
public sealed interface DialerOption permits Option, Option.DialerOnly {}
