package io.netpoll.codec;

import io.netpoll.ReadTimeoutException;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.buffer.Reader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The blocking line decoder on a reader that grows while the decoder looks at it, as a
 * connection's reader does (the poller appends from another thread): the line feed of a reply
 * arrives right after the decoder's scan found none. The decoder must find it, not move it out of
 * sight into its partial line and wait for bytes that never come (a pooled client's call timed
 * out that way against a server that had replied: ClientExamplesTests).
 *
 * <p>Deterministic: the arrival happens inside the scan of a reader double, and a wait for data
 * that is not there fails at once ({@link ReadTimeoutException}) instead of parking.
 */
class LineArrivingDuringTheWaitTests {

    /** Delegates to a buffer; the first {@code indexOf} lets {@code arrival} "arrive" after its scan. */
    private static final class ArrivingReader implements Reader {
        private final LinkBuffer buf = new LinkBuffer();
        private String arrival;

        ArrivingReader(String already, String arrival) {
            write(already);
            this.arrival = arrival;
        }

        private void write(String s) {
            if (!s.isEmpty()) {
                buf.writeString(s);
                buf.flush();
            }
        }

        private void await(int n) throws IOException {
            if (buf.len() < n) {
                throw new ReadTimeoutException("would wait for " + n + " bytes, " + buf.len() + " readable");
            }
        }

        @Override
        public int indexOf(byte delim) {
            int at = buf.indexOf(delim);
            if (arrival != null) {
                String s = arrival;
                arrival = null;
                write(s); // the poller appended just after the scan
            }
            return at;
        }

        @Override
        public ByteBuffer next(int n) throws IOException {
            await(n);
            return buf.next(n);
        }

        @Override
        public ByteBuffer peek(int n) throws IOException {
            await(n);
            return buf.peek(n);
        }

        @Override
        public void skip(int n) throws IOException {
            await(n);
            buf.skip(n);
        }

        @Override
        public ByteBuffer until(byte delim) throws IOException {
            if (buf.indexOf(delim) < 0) {
                throw new ReadTimeoutException("would wait for a delimiter");
            }
            return buf.until(delim);
        }

        @Override
        public byte readByte() throws IOException {
            await(1);
            return buf.readByte();
        }

        @Override
        public String readString(int n, Charset charset) throws IOException {
            await(n);
            return buf.readString(n, charset);
        }

        @Override
        public byte[] readBinary(int n) throws IOException {
            await(n);
            return buf.readBinary(n);
        }

        @Override
        public LinkBuffer slice(int n) throws IOException {
            await(n);
            return buf.slice(n);
        }

        @Override
        public void release() {
            buf.release();
        }

        @Override
        public int len() {
            return buf.len();
        }
    }

    private static String text(ByteBuffer b) {
        return StandardCharsets.UTF_8.decode(b).toString();
    }

    /** "": the whole reply arrives during the wait; "HEL": the rest of a partial line does. */
    @ParameterizedTest
    @ValueSource(strings = {"", "HEL"})
    void aLineFeedArrivingJustAfterTheScanIsFoundNotWaitedFor(String already) throws Exception {
        String rest = "HELLO 18\n".substring(already.length());
        ArrivingReader reader = new ArrivingReader(already, rest);
        try (LineFrameDecoder lines = new LineFrameDecoder(64 * 1024)) {
            assertThat(text(lines.nextFrame(reader))).isEqualTo("HELLO 18");
            reader.release();
        } finally {
            reader.buf.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "HEL"})
    void theSliceFormFindsItToo(String already) throws Exception {
        String rest = "HELLO 18\r\n".substring(already.length());
        ArrivingReader reader = new ArrivingReader(already, rest);
        try (LineFrameDecoder lines = new LineFrameDecoder(64 * 1024);
                LinkBuffer frame = lines.nextFrameSlice(reader)) {
            assertThat(frame.readString(frame.len())).isEqualTo("HELLO 18");
        } finally {
            reader.buf.close();
        }
    }
}
