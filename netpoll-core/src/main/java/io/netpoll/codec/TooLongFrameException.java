package io.netpoll.codec;

import java.io.IOException;

/**
 * A frame is (or is declared to be) longer than the decoder's maximum. Thrown by the framing
 * decoders before they take any byte of the frame, so the input is left as it was; the frame
 * boundary is lost, so the connection cannot be read further: let the exception escape from the
 * handler, which closes the connection (the normal handler-error path).
 */
public class TooLongFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    public TooLongFrameException(String message) {
        super(message);
    }
}
