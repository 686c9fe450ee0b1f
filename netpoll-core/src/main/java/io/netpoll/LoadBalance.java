package io.netpoll;

/**
 * How new connections are spread over the pollers of a {@link PollerGroup} (netpoll's
 * {@code LoadBalance}). Set with {@link PollerGroup#setLoadBalance} or {@link Netpoll#setLoadBalance};
 * it applies to connections created afterwards.
 */
public enum LoadBalance {
    /** Each new connection goes to the next poller in order (the default). */
    ROUND_ROBIN,
    /** Each new connection goes to a poller picked at random. */
    RANDOM
}
