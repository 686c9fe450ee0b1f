package io.netpoll;

import io.netpoll.buffer.Writer;

/**
 * Fills a connection's writer inside {@link Connection#send(WriteAction)}. Runs on the calling
 * thread, holding the connection's send lock: keep it short and do not call {@code flush()}
 * (send flushes after it returns). An exception aborts the send; what was written stays queued.
 */
@FunctionalInterface
public interface WriteAction {
    void write(Writer writer) throws java.io.IOException;
}
