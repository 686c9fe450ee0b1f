package io.netpoll.codec;

import io.netpoll.buffer.BufferPool;
import io.netpoll.buffer.LinkBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Property tests of the framing decoders against a byte model: random frames are encoded into a
 * stream, the stream arrives in chunks (at every single split point for short streams, at random
 * cut points for long ones) into a {@link LinkBuffer} with small nodes (so frames span nodes),
 * and after each chunk the decoder is asked for frames until it has none. The frames must be the
 * model's, in order, whatever the split and the form (view or slice, non-blocking or blocking;
 * on a standalone buffer a blocking call that would wait throws {@link IndexOutOfBoundsException}
 * and is retried after the next chunk, which exercises the decoders' resumption).
 *
 * <p>Seeded generator (no jqwik, see netpoll-core's pom); {@code -Dnetpoll.codec.seed=S} reruns one.
 */
class FrameDecoderModelTests {
    private static final int RUNS = 400;

    enum Form {
        TRY_VIEW,
        TRY_SLICE,
        BLOCKING_VIEW,
        BLOCKING_SLICE
    }

    interface Decoder {
        /** A copy of the next frame's bytes, or null when it has not fully arrived. */
        byte[] next(LinkBuffer in, Form form) throws IOException;

        void close();
    }

    // ------------------------------------------------------------------------------ lines

    @Test
    void linesMatchTheModelAtEverySplitPoint() throws IOException {
        for (long seed : seeds(1)) {
            Random random = new Random(seed);
            int max = 1 + random.nextInt(40);
            List<byte[]> frames = new ArrayList<>();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            int count = random.nextInt(6);
            for (int i = 0; i < count; i++) {
                byte[] line = lineContent(random, random.nextInt(max + 1));
                frames.add(line);
                stream.writeBytes(line);
                stream.writeBytes(random.nextBoolean() ? new byte[] {'\n'} : new byte[] {'\r', '\n'});
            }
            check(seed, stream.toByteArray(), frames, () -> lineDecoder(max), random, false);
        }
    }

    @Test
    void aTooLongLineFailsAfterTheFramesBeforeItWithoutBufferingMoreThanTheMaximum() throws IOException {
        for (long seed : seeds(100_000)) {
            Random random = new Random(seed);
            int max = 1 + random.nextInt(20);
            List<byte[]> frames = new ArrayList<>();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (int i = random.nextInt(3); i > 0; i--) {
                byte[] line = lineContent(random, random.nextInt(max + 1));
                frames.add(line);
                stream.writeBytes(line);
                stream.writeBytes(new byte[] {'\r', '\n'});
            }
            int prefix = stream.size();
            boolean terminated = random.nextBoolean();
            // Unterminated, max + 1 bytes could still be a line of max bytes and a \r: one more makes it certain.
            byte[] tooLong = lineContent(random, max + (terminated ? 1 : 2) + random.nextInt(10));
            stream.writeBytes(tooLong);
            if (terminated) {
                stream.writeBytes(new byte[] {'\n'});
            }
            // The failure must come at the latest once max + 2 bytes of the long line are readable.
            int failBy = Math.min(stream.size(), prefix + max + 2);
            checkTooLong(seed, stream.toByteArray(), frames, () -> lineDecoder(max), random, failBy);
        }
    }

    @Test
    void aLineOfExactlyTheMaximumIsAcceptedWithEitherDelimiter() throws IOException {
        for (String delim : new String[] {"\n", "\r\n"}) {
            byte[] stream = ("abcd" + delim + "ab\r" + "\n").getBytes();
            check(7, stream, List.of("abcd".getBytes(), "ab".getBytes()), () -> lineDecoder(4), new Random(7), true);
        }
    }

    private static byte[] lineContent(Random random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            // Any byte but \n; a \r inside the line is content, only a \r right before \n is not.
            do {
                b[i] = (byte) random.nextInt(256);
            } while (b[i] == '\n' || (i == n - 1 && b[i] == '\r'));
        }
        return b;
    }

    private static Decoder lineDecoder(int max) {
        LineFrameDecoder d = new LineFrameDecoder(max);
        return new Decoder() {
            @Override
            public byte[] next(LinkBuffer in, Form form) throws IOException {
                return switch (form) {
                    case TRY_VIEW -> copy(d.tryNextFrame(in));
                    case TRY_SLICE -> copy(d.tryNextFrameSlice(in));
                    case BLOCKING_VIEW -> blocking(() -> copy(d.nextFrame(in)));
                    case BLOCKING_SLICE -> blocking(() -> copy(d.nextFrameSlice(in)));
                };
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }

    // ------------------------------------------------------------------------------ length field

    @Test
    void lengthFieldFramesMatchTheModelAtEverySplitPoint() throws IOException {
        for (long seed : seeds(200_000)) {
            Random random = new Random(seed);
            int[] widths = {1, 2, 3, 4, 8};
            int width = widths[random.nextInt(widths.length)];
            int offset = random.nextInt(4);
            boolean countsHeader = random.nextBoolean();
            int adjustment = countsHeader ? -(offset + width) : 0;
            int strip = random.nextInt(offset + width + 1);
            ByteOrder order = random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            int maxBody = 1 + random.nextInt(60);
            int max = offset + width + maxBody;
            List<byte[]> frames = new ArrayList<>();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (int i = random.nextInt(6); i > 0; i--) {
                byte[] frame =
                        encodeLengthField(random, offset, width, order, countsHeader, random.nextInt(maxBody + 1));
                stream.writeBytes(frame);
                frames.add(Arrays.copyOfRange(frame, strip, frame.length));
            }
            check(
                    seed,
                    stream.toByteArray(),
                    frames,
                    () -> lengthDecoder(new LengthFieldFrameDecoder(max, offset, width, adjustment, strip, order)),
                    random,
                    false);
        }
    }

    @Test
    void aTooLongLengthFieldFrameFailsAsSoonAsItsHeaderIsReadable() throws IOException {
        for (long seed : seeds(300_000)) {
            Random random = new Random(seed);
            int width = new int[] {1, 2, 3, 4, 8}[random.nextInt(5)];
            int maxBody = 1 + random.nextInt(Math.min(60, width == 1 ? 200 : 60));
            int max = width + maxBody;
            List<byte[]> frames = new ArrayList<>();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (int i = random.nextInt(3); i > 0; i--) {
                byte[] frame =
                        encodeLengthField(random, 0, width, ByteOrder.BIG_ENDIAN, false, random.nextInt(maxBody + 1));
                stream.writeBytes(frame);
                frames.add(Arrays.copyOfRange(frame, width, frame.length));
            }
            int headerAt = stream.size();
            int tooLongBody = maxBody + 1 + random.nextInt(width == 1 ? 255 - maxBody : 1000);
            stream.writeBytes(encodeLengthField(random, 0, width, ByteOrder.BIG_ENDIAN, false, tooLongBody));
            checkTooLong(
                    seed,
                    stream.toByteArray(),
                    frames,
                    () -> lengthDecoder(new LengthFieldFrameDecoder(max, 0, width, 0, width)),
                    random,
                    headerAt + width);
        }
    }

    @Test
    void corruptLengthsAreRejected() {
        LinkBuffer in = new LinkBuffer();
        try {
            // Counts the header (-4), but declares 2: shorter than the header itself.
            in.writeBinary(new byte[] {0, 0, 0, 2, 1, 2});
            in.flush();
            LengthFieldFrameDecoder d = new LengthFieldFrameDecoder(100, 0, 4, -4, 4);
            assertThatThrownBy(() -> d.tryNextFrame(in))
                    .isInstanceOf(CorruptFrameException.class)
                    .hasMessageContaining("shorter than its header");
            // An 8-byte field with the top bit set would be negative as a long.
            LinkBuffer in8 = new LinkBuffer();
            in8.writeBinary(new byte[] {(byte) 0x80, 0, 0, 0, 0, 0, 0, 1});
            in8.flush();
            assertThatThrownBy(() -> new LengthFieldFrameDecoder(100, 0, 8, 0, 8).nextFrame(in8))
                    .isInstanceOf(CorruptFrameException.class);
            assertThat(in8.len()).isEqualTo(8); // nothing taken
            in8.close();
        } finally {
            in.close();
        }
    }

    @Test
    void constructorRejectsImpossibleConfigurations() {
        assertThatThrownBy(() -> new LengthFieldFrameDecoder(100, 0, 5, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LengthFieldFrameDecoder(3, 0, 4, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LengthFieldFrameDecoder(100, -1, 4, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LineFrameDecoder(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] encodeLengthField(
            Random random, int offset, int width, ByteOrder order, boolean countsHeader, int body) {
        byte[] frame = new byte[offset + width + body];
        random.nextBytes(frame);
        long value = body + (countsHeader ? offset + width : 0);
        for (int i = 0; i < width; i++) {
            int shift = 8 * (order == ByteOrder.BIG_ENDIAN ? width - 1 - i : i);
            frame[offset + i] = (byte) (value >>> shift);
        }
        return frame;
    }

    private static Decoder lengthDecoder(LengthFieldFrameDecoder d) {
        return new Decoder() {
            @Override
            public byte[] next(LinkBuffer in, Form form) throws IOException {
                return switch (form) {
                    case TRY_VIEW -> copy(d.tryNextFrame(in));
                    case TRY_SLICE -> copy(d.tryNextFrameSlice(in));
                    case BLOCKING_VIEW -> blocking(() -> copy(d.nextFrame(in)));
                    case BLOCKING_SLICE -> blocking(() -> copy(d.nextFrameSlice(in)));
                };
            }

            @Override
            public void close() {}
        };
    }

    // ------------------------------------------------------------------------------ harness

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    /** On a standalone buffer "would wait" is an IndexOutOfBoundsException: report it as "not yet". */
    private static byte[] blocking(IoSupplier<byte[]> call) throws IOException {
        try {
            return call.get();
        } catch (IndexOutOfBoundsException wouldWait) {
            return null;
        }
    }

    private static byte[] copy(ByteBuffer view) {
        if (view == null) {
            return null;
        }
        byte[] b = new byte[view.remaining()];
        view.duplicate().get(b);
        return b;
    }

    private static byte[] copy(LinkBuffer slice) {
        if (slice == null) {
            return null;
        }
        try (slice) {
            return slice.readBinary(slice.len());
        }
    }

    private static long[] seeds(long base) {
        String one = System.getProperty("netpoll.codec.seed");
        if (one != null) {
            return new long[] {Long.parseLong(one.trim())};
        }
        long[] seeds = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            seeds[i] = base + i;
        }
        return seeds;
    }

    /** Every split point for short streams; random chunks always. */
    private static List<int[]> splits(byte[] stream, Random random, boolean exhaustive) {
        List<int[]> splits = new ArrayList<>();
        if (exhaustive || stream.length <= 64) {
            for (int at = 0; at <= stream.length; at++) {
                splits.add(new int[] {at});
            }
            int[] single = new int[stream.length];
            for (int i = 0; i < single.length; i++) {
                single[i] = i;
            }
            splits.add(single); // one byte at a time
        }
        for (int k = 0; k < 4; k++) {
            int cuts = random.nextInt(Math.max(1, stream.length / 3) + 1);
            int[] points = new int[cuts];
            for (int i = 0; i < cuts; i++) {
                points[i] = stream.length == 0 ? 0 : random.nextInt(stream.length + 1);
            }
            Arrays.sort(points);
            splits.add(points);
        }
        return splits;
    }

    private static void check(
            long seed,
            byte[] stream,
            List<byte[]> expected,
            java.util.function.Supplier<Decoder> decoders,
            Random random,
            boolean exhaustive)
            throws IOException {
        for (int[] cuts : splits(stream, random, exhaustive)) {
            Form form = Form.values()[random.nextInt(Form.values().length)];
            List<byte[]> got = new ArrayList<>();
            Decoder decoder = decoders.get();
            LinkBuffer in = new LinkBuffer(BufferPool.defaultPool(), BufferPool.MIN_NODE_SIZE);
            try {
                int from = 0;
                for (int c = 0; c <= cuts.length; c++) {
                    int to = c < cuts.length ? cuts[c] : stream.length;
                    in.writeBinary(stream, from, to - from);
                    in.flush();
                    from = to;
                    byte[] frame;
                    while ((frame = decoder.next(in, form)) != null) {
                        got.add(frame);
                    }
                    in.release();
                }
                String where = "seed " + seed + " form " + form + " cuts " + Arrays.toString(cuts);
                assertThat(got).as(where).hasSameSizeAs(expected);
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i)).as(where + " frame " + i).isEqualTo(expected.get(i));
                }
                assertThat(in.len()).as(where).isZero();
            } finally {
                decoder.close();
                in.close();
            }
        }
    }

    private static void checkTooLong(
            long seed,
            byte[] stream,
            List<byte[]> expected,
            java.util.function.Supplier<Decoder> decoders,
            Random random,
            int failBy)
            throws IOException {
        for (int[] cuts : splits(stream, random, false)) {
            Form form = Form.values()[random.nextInt(Form.values().length)];
            List<byte[]> got = new ArrayList<>();
            Decoder decoder = decoders.get();
            LinkBuffer in = new LinkBuffer(BufferPool.defaultPool(), BufferPool.MIN_NODE_SIZE);
            String where = "seed " + seed + " form " + form + " cuts " + Arrays.toString(cuts);
            IOException failure = null;
            int fedWhenFailed = -1;
            try {
                int from = 0;
                outer:
                for (int c = 0; c <= cuts.length; c++) {
                    int to = c < cuts.length ? cuts[c] : stream.length;
                    in.writeBinary(stream, from, to - from);
                    in.flush();
                    from = to;
                    try {
                        byte[] frame;
                        while ((frame = decoder.next(in, form)) != null) {
                            got.add(frame);
                        }
                    } catch (TooLongFrameException e) {
                        failure = e;
                        fedWhenFailed = to;
                        break outer;
                    }
                    in.release();
                }
                assertThat(failure).as(where).isNotNull();
                assertThat(fedWhenFailed)
                        .as(where)
                        .isLessThanOrEqualTo(Math.max(failBy, firstCutAtOrAfter(cuts, failBy, stream.length)));
                assertThat(got).as(where).hasSameSizeAs(expected);
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i)).as(where + " frame " + i).isEqualTo(expected.get(i));
                }
            } finally {
                decoder.close();
                in.close();
            }
        }
    }

    /** Bytes arrive chunk by chunk: the decoder sees {@code failBy} bytes only once the chunk holding it is fed. */
    private static int firstCutAtOrAfter(int[] cuts, int failBy, int length) {
        for (int cut : cuts) {
            if (cut >= failBy) {
                return cut;
            }
        }
        return length;
    }
}
