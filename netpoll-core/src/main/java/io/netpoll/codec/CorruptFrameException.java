package io.netpoll.codec;

import java.io.IOException;

/**
 * A frame header cannot be valid (a negative length, or a frame shorter than its own header or
 * than the bytes to strip). Like {@link TooLongFrameException} it leaves the input untouched and
 * the stream unreadable: the connection should be closed.
 */
public class CorruptFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptFrameException(String message) {
        super(message);
    }
}
