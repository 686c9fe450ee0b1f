package io.netpoll.internal;

/** Why a connection closed; the first reason wins. Its message is what {@code ConnectionClosedException} says. */
enum CloseReason {
    LOCAL("connection closed"),
    PEER("connection closed by the peer"),
    RESET("connection reset"),
    IDLE("connection closed after the idle timeout"),
    ERROR("connection closed after an error"),
    SHUTDOWN("connection closed by shutdown"),
    HANDLER("connection closed after a handler error"),
    OUTPUT_LIMIT("connection closed: unsent output above the output limit (the peer does not read)"),
    WRITE_TIMEOUT("connection closed after a write timeout (the peer does not read)");

    final String message;

    CloseReason(String message) {
        this.message = message;
    }
}
