/**
 * netpoll-java's core: event loops, connections, dialers and the zero-copy LinkBuffer.
 * Exports only the API ({@code io.netpoll}, {@code io.netpoll.buffer}, and the client-side and TLS
 * helpers {@code io.netpoll.codec}, {@code io.netpoll.pool}, {@code io.netpoll.mux},
 * {@code io.netpoll.tls}); the machinery
 * ({@code io.netpoll.internal}, {@code io.netpoll.buffer.internal}) stays inside. No run-time
 * dependency: JSpecify's annotations are needed at compile time only ({@code static}), and are
 * passed on to the compilers of code that reads the API's nullness ({@code transitive}: they
 * are part of its signatures), as JSpecify recommends.
 */
module io.netpoll.core {
    requires static transitive org.jspecify;

    exports io.netpoll;
    exports io.netpoll.buffer;
    exports io.netpoll.codec;
    exports io.netpoll.mux;
    exports io.netpoll.pool;
    exports io.netpoll.tls;
}
