package io.netpoll;

/**
 * The peer closed its side (FIN) before sending the bytes a blocking read asked for: the read
 * can never complete. Bytes sent before the FIN were delivered, and those the read did not take
 * stay unread. With {@link Option#allowHalfClosure half-closure} the connection stays open
 * for writing (reply, then {@link Connection#shutdownOutput()} or {@link Connection#close()});
 * without it, the connection is closing. A subclass of {@link ConnectionClosedException}, so
 * code that treats any end of the connection alike needs no change.
 */
public class EndOfStreamException extends ConnectionClosedException {
    private static final long serialVersionUID = 1L;

    public EndOfStreamException(String message) {
        super(message);
    }
}
