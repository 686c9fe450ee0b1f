package io.netpoll.benchmarks.soak;

/** An answer that arrived but was not the expected one. */
final class VerificationException extends Exception {

    VerificationException(String message) {
        super(message, null, false, false);
    }
}
