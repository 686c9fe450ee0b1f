package io.netpoll;

import io.netpoll.buffer.Writer;

/** Fills a connection's writer inside {@link Connection#send(WriteAction)}. */
@FunctionalInterface
public interface WriteAction {
    void write(Writer writer) throws java.io.IOException;
}
