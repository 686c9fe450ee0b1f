package io.netpoll;

import org.jspecify.annotations.Nullable;

import java.net.SocketAddress;

/**
 * A snapshot of one connection of an {@link EventLoop}, for the operator view
 * ({@link EventLoop#connections(int, Order)}). Immutable; the values were read one after another
 * without stopping the connection, so they may belong to slightly different moments.
 *
 * @param id the connection's id, unique in the JVM (for {@link EventLoop#closeConnection(long)})
 * @param localAddress the local address
 * @param remoteAddress the peer's address
 * @param createdAtMillis when the connection was set up (epoch milliseconds)
 * @param ageNanos how long ago that was
 * @param idleNanos time since the last byte read or written (since creation if none was), with or
 *        without an idle timeout; coarse: activity is stamped with the serving poller's clock of
 *        its current loop turn (no clock read per read or write), so this may read up to one poller
 *        turn long
 * @param bytesIn bytes read from the socket
 * @param bytesOut bytes written to the socket
 * @param unreadInput input bytes read from the socket and not yet consumed by the handler
 * @param unsentOutput flushed output bytes not yet taken by the socket
 * @param state {@code open}, {@code in-handler} (a handler runs for it), {@code read-paused}
 *        (at the input limit or the memory budget), {@code peer-closed} (EOF read, input left) or
 *        {@code closing}
 * @param poller the name of the poller serving it
 */
public record ConnectionInfo(
        long id,
        @Nullable SocketAddress localAddress,
        @Nullable SocketAddress remoteAddress,
        long createdAtMillis,
        long ageNanos,
        long idleNanos,
        long bytesIn,
        long bytesOut,
        int unreadInput,
        int unsentOutput,
        String state,
        String poller) {

    /** Which connections {@link EventLoop#connections(int, Order)} returns first. */
    public enum Order {
        /** The oldest first. */
        OLDEST,
        /** The most bytes in plus out first. */
        BUSIEST
    }
}
