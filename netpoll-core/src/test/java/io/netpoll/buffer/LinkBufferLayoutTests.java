package io.netpoll.buffer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every Reader and Writer operation against every {@link BufferLayout}: the same bytes with node
 * boundaries in different places, so reads, peeks, slices and delimiter searches straddle them.
 */
class LinkBufferLayoutTests {

    static final int SIZE = 37;

    static List<BufferLayout> layouts() {
        return BufferLayout.all();
    }

    /** Lowercase letters, no '\n': the delimiter tests put '\n' where they want it. */
    static byte[] data(int size) {
        byte[] d = new byte[size];
        for (int i = 0; i < size; i++) {
            d[i] = (byte) ('a' + (i * 7) % 26);
        }
        return d;
    }

    static byte[] bytesOf(ByteBuffer view) {
        byte[] r = new byte[view.remaining()];
        view.duplicate().get(r);
        return r;
    }

    static byte[] range(byte[] d, int from, int to) {
        return Arrays.copyOfRange(d, from, to);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void theLayoutHoldsExactlyTheBytesItWasBuiltFrom(BufferLayout layout) throws Exception {
        for (int size : new int[] {0, 1, 2, 15, 16, 17, SIZE, 300}) {
            byte[] d = data(size);
            try (LinkBuffer b = layout.build(d)) {
                assertThat(b.len()).isEqualTo(size);
                assertThat(b.isEmpty()).isEqualTo(size == 0);
                assertThat(b.readBinary(size)).isEqualTo(d);
                assertThat(b.len()).isZero();
                assertThat(b.isEmpty()).isTrue();
                b.release();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void nextTakesTheRequestedBytesAtEveryOffsetAndSize(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        for (int off = 0; off <= SIZE; off++) {
            for (int n = 0; off + n <= SIZE; n++) {
                try (LinkBuffer b = layout.build(d)) {
                    b.skip(off);
                    ByteBuffer view = b.next(n);
                    assertThat(view.remaining())
                            .as("remaining of next(%d) at %d", n, off)
                            .isEqualTo(n);
                    assertThat(bytesOf(view)).as("next(%d) at %d", n, off).isEqualTo(range(d, off, off + n));
                    assertThat(b.len()).isEqualTo(SIZE - off - n);
                    assertThat(b.readBinary(b.len())).isEqualTo(range(d, off + n, SIZE));
                    assertThat(bytesOf(view))
                            .as("view of next(%d) at %d after more reads", n, off)
                            .isEqualTo(range(d, off, off + n));
                    b.release();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void viewsFromNextPeekAndUntilHoldTheBytesBetweenPositionAndLimit(BufferLayout layout) throws Exception {
        // Reader's contract: the view's [position, limit) are the requested bytes (the position
        // need not be 0), so absolute gets count from position().
        byte[] d = data(SIZE);
        d[20] = '\n';
        try (LinkBuffer b = layout.build(d)) {
            b.skip(3);
            ByteBuffer peeked = b.peek(4);
            ByteBuffer taken = b.next(4);
            ByteBuffer line = b.until((byte) '\n');
            assertThat(new int[] {peeked.remaining(), taken.remaining(), line.remaining()})
                    .as("remaining of peek(4), next(4), until('\\n') views")
                    .containsExactly(4, 4, 14);
            assertThat(peeked.get(peeked.position())).as("peek(4) first byte").isEqualTo(d[3]);
            assertThat(taken.getInt(taken.position()))
                    .as("next(4) as an int")
                    .isEqualTo(ByteBuffer.wrap(d, 3, 4).getInt());
            assertThat(line.get(line.position())).as("until('\\n') first byte").isEqualTo(d[7]);
            assertThat(line.get(line.limit() - 1)).as("until('\\n') last byte").isEqualTo((byte) '\n');
            b.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void theMallocViewHoldsTheReservedBytesBetweenPositionAndLimit(BufferLayout layout) throws Exception {
        // Writer's contract: malloc(n)'s [position, limit) are the n reserved bytes, so absolute
        // puts count from position().
        try (LinkBuffer b = layout.build(data(SIZE))) {
            b.writeString("abc");
            ByteBuffer view = b.malloc(8);
            assertThat(view.remaining()).isEqualTo(8);
            view.putLong(view.position(), 0x0102030405060708L);
            b.flush();
            b.skip(SIZE + 3);
            assertThat(b.readBinary(8)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            b.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void everyViewTakenInChunksStaysValidUntilRelease(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        for (int chunk = 1; chunk <= 18; chunk++) {
            try (LinkBuffer b = layout.build(d)) {
                List<ByteBuffer> views = new ArrayList<>();
                List<Integer> offsets = new ArrayList<>();
                int off = 0;
                while (b.len() > 0) {
                    int n = Math.min(chunk, b.len());
                    offsets.add(off);
                    if (views.size() % 3 == 2) {
                        views.add(b.peek(n));
                        b.skip(n);
                    } else {
                        views.add(b.next(n));
                    }
                    off += n;
                }
                // The writer may reuse free tail space meanwhile: that must not touch the views.
                b.writeBinary(data(40));
                b.flush();
                for (int v = 0; v < views.size(); v++) {
                    int from = offsets.get(v);
                    assertThat(bytesOf(views.get(v)))
                            .as("view %d of chunk size %d", v, chunk)
                            .isEqualTo(range(d, from, Math.min(SIZE, from + chunk)));
                }
                b.release();
                assertThat(b.readBinary(40)).isEqualTo(data(40));
                b.release();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void peekShowsTheBytesWithoutTakingThem(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        for (int off = 0; off <= SIZE; off++) {
            for (int n = 0; off + n <= SIZE; n++) {
                try (LinkBuffer b = layout.build(d)) {
                    b.next(off);
                    ByteBuffer peeked = b.peek(n);
                    assertThat(bytesOf(peeked)).as("peek(%d) at %d", n, off).isEqualTo(range(d, off, off + n));
                    assertThat(b.len()).isEqualTo(SIZE - off);
                    ByteBuffer again = b.peek(SIZE - off);
                    assertThat(bytesOf(again)).isEqualTo(range(d, off, SIZE));
                    assertThat(bytesOf(b.next(n))).isEqualTo(range(d, off, off + n));
                    assertThat(bytesOf(peeked)).as("peeked view after next").isEqualTo(range(d, off, off + n));
                    b.release();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void skipDiscardsExactlyTheRequestedBytes(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        for (int off = 0; off <= SIZE; off++) {
            for (int n = 0; off + n <= SIZE; n++) {
                try (LinkBuffer b = layout.build(d)) {
                    b.skip(off);
                    b.skip(n);
                    assertThat(b.len()).isEqualTo(SIZE - off - n);
                    assertThat(b.readBinary(b.len())).isEqualTo(range(d, off + n, SIZE));
                    b.release();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void readByteReadsEveryByteInOrder(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        try (LinkBuffer b = layout.build(d)) {
            for (int i = 0; i < SIZE; i++) {
                assertThat(b.readByte()).as("byte %d", i).isEqualTo(d[i]);
                assertThat(b.len()).isEqualTo(SIZE - i - 1);
                if (i % 5 == 0) {
                    b.release();
                }
            }
            b.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void readBinaryCopiesAtEveryOffsetAndSize(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        for (int off = 0; off <= SIZE; off++) {
            for (int n = 0; off + n <= SIZE; n++) {
                byte[] copy;
                try (LinkBuffer b = layout.build(d)) {
                    b.skip(off);
                    copy = b.readBinary(n);
                    assertThat(b.len()).isEqualTo(SIZE - off - n);
                    b.release();
                }
                assertThat(copy)
                        .as("readBinary(%d) at %d, kept after close", n, off)
                        .isEqualTo(range(d, off, off + n));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void readStringDecodesCharactersSplitAcrossNodes(BufferLayout layout) throws Exception {
        String text = "aé€😀z ünï©ødé 中文 \uD83D\uDE80!";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (LinkBuffer b = layout.build(utf8)) {
            assertThat(b.readString(utf8.length)).isEqualTo(text);
            b.release();
        }
        // Every split of the text at a character boundary, read as two strings.
        for (int c = 0; c <= text.length(); c = c == text.length() ? c + 1 : text.offsetByCodePoints(c, 1)) {
            int cut = text.substring(0, c).getBytes(StandardCharsets.UTF_8).length;
            try (LinkBuffer b = layout.build(utf8)) {
                assertThat(b.readString(cut)).isEqualTo(text.substring(0, c));
                assertThat(b.readString(utf8.length - cut, StandardCharsets.UTF_8))
                        .isEqualTo(text.substring(c));
                b.release();
            }
        }
        byte[] latin1 = "Grüße, señor".getBytes(StandardCharsets.ISO_8859_1);
        try (LinkBuffer b = layout.build(latin1)) {
            assertThat(b.readString(latin1.length, StandardCharsets.ISO_8859_1)).isEqualTo("Grüße, señor");
            b.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void untilTakesUpToAndIncludingTheDelimiterAtEveryPosition(BufferLayout layout) throws Exception {
        for (int p = 0; p < SIZE; p++) {
            for (int off = 0; off <= p; off += 4) {
                byte[] d = data(SIZE);
                d[p] = '\n';
                int second = Math.min(SIZE - 1, p + 1 + p % 9);
                if (second > p) {
                    d[second] = '\n';
                }
                try (LinkBuffer b = layout.build(d)) {
                    b.skip(off);
                    assertThat(b.indexOf((byte) '\n'))
                            .as("indexOf with delimiter at %d, read from %d", p, off)
                            .isEqualTo(p - off);
                    ByteBuffer line = b.until((byte) '\n');
                    assertThat(bytesOf(line))
                            .as("until with delimiter at %d, read from %d", p, off)
                            .isEqualTo(range(d, off, p + 1));
                    assertThat(b.len()).isEqualTo(SIZE - p - 1);
                    if (second > p) {
                        assertThat(b.indexOf((byte) '\n')).isEqualTo(second - p - 1);
                        assertThat(bytesOf(b.until((byte) '\n'))).isEqualTo(range(d, p + 1, second + 1));
                    }
                    assertThat(b.indexOf((byte) '\n')).isEqualTo(-1);
                    assertThat(bytesOf(line))
                            .as("first line after the second until")
                            .isEqualTo(range(d, off, p + 1));
                    b.release();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void indexOfFindsEveryByteAndReportsAbsence(BufferLayout layout) throws Exception {
        byte[] d = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            d[i] = (byte) i;
        }
        try (LinkBuffer b = layout.build(d)) {
            for (int off = 0; off < SIZE; off++) {
                for (int v = 0; v < SIZE; v++) {
                    assertThat(b.indexOf((byte) v))
                            .as("indexOf(%d) after reading %d", v, off)
                            .isEqualTo(v < off ? -1 : v - off);
                }
                assertThat(b.indexOf((byte) 99)).isEqualTo(-1);
                assertThat(b.len()).as("indexOf takes nothing").isEqualTo(SIZE - off);
                b.skip(1);
            }
            assertThat(b.indexOf((byte) 0)).isEqualTo(-1);
            b.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void indexOfAndUntilFindTheFirstMatchAmongLookalikeBytes(BufferLayout layout) throws Exception {
        // Word-at-a-time scans can be fooled by bytes next to the delimiter's value (borrows,
        // sign bits): the delimiter among its neighbours, at every alignment, for every value.
        java.util.Random random = new java.util.Random(11);
        for (int value = 0; value < 256; value++) {
            byte delim = (byte) value;
            byte[] lookalikes = {
                (byte) (value + 1),
                (byte) (value - 1),
                (byte) (value ^ 0x80),
                (byte) (value ^ 0x01),
                (byte) (value ^ 0xFF),
                0,
                (byte) 0xFF,
                (byte) 0x80,
                0x01
            };
            byte[] d = new byte[SIZE];
            for (int i = 0; i < SIZE; i++) {
                byte x;
                do {
                    x = lookalikes[random.nextInt(lookalikes.length)];
                } while (x == delim);
                d[i] = x;
            }
            int at = random.nextInt(SIZE);
            d[at] = delim;
            if (random.nextBoolean() && at + 1 < SIZE) {
                d[at + 1 + random.nextInt(SIZE - at - 1)] = delim;
            }
            int off = random.nextInt(at + 1);
            try (LinkBuffer b = layout.build(d)) {
                b.skip(off);
                assertThat(b.indexOf(delim))
                        .as("indexOf(0x%02x) at %d, read from %d", value, at, off)
                        .isEqualTo(at - off);
                assertThat(bytesOf(b.until(delim))).as("until(0x%02x)", value).isEqualTo(range(d, off, at + 1));
                b.release();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void viewsAreBigEndianLikeAnyNewByteBuffer(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        try (LinkBuffer b = layout.build(d)) {
            ByteBuffer peeked = b.peek(8);
            ByteBuffer taken = b.next(8);
            assertThat(peeked.order()).isEqualTo(java.nio.ByteOrder.BIG_ENDIAN);
            assertThat(taken.order()).isEqualTo(java.nio.ByteOrder.BIG_ENDIAN);
            assertThat(taken.duplicate().getLong())
                    .isEqualTo(ByteBuffer.wrap(d, 0, 8).getLong());
            ByteBuffer view = b.malloc(4);
            assertThat(view.order()).isEqualTo(java.nio.ByteOrder.BIG_ENDIAN);
            view.duplicate().putInt(0x01020304);
            b.flush();
            b.skip(SIZE - 8);
            assertThat(b.readBinary(4)).containsExactly(1, 2, 3, 4);
            b.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void untilWithoutTheDelimiterFailsAndTakesNothing(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        try (LinkBuffer b = layout.build(d)) {
            b.skip(3);
            assertThatThrownBy(() -> b.until((byte) '\n')).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(b.len()).isEqualTo(SIZE - 3);
            assertThat(b.readBinary(SIZE - 3)).isEqualTo(range(d, 3, SIZE));
            b.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void sliceSharesTheBytesAtEveryOffsetAndSize(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        for (int off = 0; off <= SIZE; off += 2) {
            for (int n = 0; off + n <= SIZE; n++) {
                LinkBuffer slice;
                try (LinkBuffer b = layout.build(d)) {
                    ByteBuffer before = b.next(off);
                    assertThat(bytesOf(before)).isEqualTo(range(d, 0, off));
                    slice = b.slice(n);
                    assertThat(b.len()).isEqualTo(SIZE - off - n);
                    assertThat(b.readBinary(b.len())).isEqualTo(range(d, off + n, SIZE));
                    b.release();
                }
                try (LinkBuffer s = slice) {
                    assertThat(s.len()).as("slice(%d) at %d", n, off).isEqualTo(n);
                    assertThat(s.mallocLen()).isZero();
                    if (n > 2) {
                        try (LinkBuffer inner = s.slice(n - 1)) {
                            assertThat(s.readBinary(1)).isEqualTo(range(d, off + n - 1, off + n));
                            assertThat(inner.readBinary(n - 1))
                                    .as("slice of slice")
                                    .isEqualTo(range(d, off, off + n - 1));
                            inner.release();
                        }
                    } else {
                        assertThat(s.readBinary(n)).isEqualTo(range(d, off, off + n));
                    }
                    s.release();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void releaseInTheMiddleKeepsTheUnreadBytes(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        for (int cut = 0; cut <= SIZE; cut++) {
            try (LinkBuffer b = layout.build(d)) {
                assertThat(bytesOf(b.next(cut))).isEqualTo(range(d, 0, cut));
                b.release();
                assertThat(b.len()).isEqualTo(SIZE - cut);
                assertThat(bytesOf(b.peek(SIZE - cut))).isEqualTo(range(d, cut, SIZE));
                b.release();
                assertThat(bytesOf(b.next(SIZE - cut))).isEqualTo(range(d, cut, SIZE));
                b.release();
                assertThat(b.isEmpty()).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void appendPutsTheOtherBuffersBytesAfterTheUnflushedOnes(BufferLayout layout) throws Exception {
        byte[] first = data(SIZE);
        byte[] second = "0123456789ABCDEFGHIJ".getBytes(StandardCharsets.US_ASCII);
        for (BufferLayout otherLayout : BufferLayout.all()) {
            try (LinkBuffer a = layout.build(first);
                    LinkBuffer other = otherLayout.build(second)) {
                a.skip(3);
                a.writeString("--");
                other.writeString("+unflushed");
                a.append(other);
                assertThat(other.len()).isZero();
                assertThat(other.mallocLen()).isZero();
                assertThat(other.isEmpty()).isTrue();
                assertThat(a.len())
                        .as("appended bytes are written, not yet readable")
                        .isEqualTo(SIZE - 3);
                assertThat(a.mallocLen()).isEqualTo(2 + second.length + 10);
                a.flush();
                String expected = new String(range(first, 3, SIZE), StandardCharsets.US_ASCII) + "--"
                        + new String(second, StandardCharsets.US_ASCII) + "+unflushed";
                assertThat(a.readString(a.len()))
                        .as("%s appended to %s", otherLayout, layout)
                        .isEqualTo(expected);
                a.release();
                // The emptied buffer can be reused.
                other.writeString("again");
                other.flush();
                assertThat(other.readString(5)).isEqualTo("again");
                other.release();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void writeDirectInsertsBeforeTheLastReservedBytes(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        byte[] extra = "EXTRA-BYTES".getBytes(StandardCharsets.US_ASCII);
        for (int a = 0; a <= 20; a += 5) {
            for (int r = 0; r <= 21; r += 3) {
                try (LinkBuffer b = layout.build(d);
                        LinkBuffer expected = new LinkBuffer()) {
                    b.skip(1);
                    ByteBuffer view = b.malloc(a + r);
                    assertThat(view.remaining()).isEqualTo(a + r);
                    boolean fillAfter = (a + r) % 2 == 1;
                    if (!fillAfter) {
                        for (int i = 0; i < a + r; i++) {
                            view.put((byte) ('A' + i % 26));
                        }
                    }
                    b.writeDirect(ByteBuffer.wrap(extra), r);
                    if (fillAfter) {
                        // The malloc view stays valid until flush or mallocAck: fill it after writeDirect.
                        for (int i = 0; i < a + r; i++) {
                            view.put((byte) ('A' + i % 26));
                        }
                    }
                    assertThat(b.mallocLen()).isEqualTo(a + r + extra.length);
                    b.flush();

                    ByteBuffer head = expected.malloc(a);
                    for (int i = 0; i < a; i++) {
                        head.put((byte) ('A' + i % 26));
                    }
                    expected.writeBinary(extra);
                    ByteBuffer tail = expected.malloc(r);
                    for (int i = a; i < a + r; i++) {
                        tail.put((byte) ('A' + i % 26));
                    }
                    expected.flush();

                    assertThat(b.readBinary(SIZE - 1)).isEqualTo(range(d, 1, SIZE));
                    assertThat(b.readBinary(b.len()))
                            .as("malloc(%d+%d), writeDirect(extra, %d)", a, r, r)
                            .isEqualTo(expected.readBinary(expected.len()));
                    b.release();
                    expected.release();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void mallocAckKeepsTheFirstBytesAndDropsTheRest(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        for (int keep = 0; keep <= 30; keep += 3) {
            try (LinkBuffer b = layout.build(d)) {
                b.writeString("abc");
                ByteBuffer view = b.malloc(27);
                for (int i = 0; i < 27; i++) {
                    view.put((byte) ('0' + i % 10));
                }
                assertThat(b.mallocLen()).isEqualTo(30);
                b.mallocAck(keep);
                assertThat(b.mallocLen()).isEqualTo(keep);
                assertThat(b.len()).isEqualTo(SIZE);
                b.writeByte((byte) '!');
                b.flush();
                assertThat(b.mallocLen()).isZero();
                String written = "abc" + "012345678901234567890123456";
                assertThat(b.readBinary(SIZE)).isEqualTo(d);
                assertThat(b.readString(b.len())).as("mallocAck(%d)", keep).isEqualTo(written.substring(0, keep) + "!");
                b.release();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void drainToWritesEverythingThroughAChannelThatTakesLittleAtATime(BufferLayout layout) throws Exception {
        byte[] d = data(300);
        for (int accept : new int[] {1, 7, 64, 1000}) {
            try (LinkBuffer b = layout.build(d)) {
                b.skip(2);
                StingyChannel channel = new StingyChannel(accept);
                long total = 0;
                for (int round = 0; b.len() > 0 && round < 1000; round++) {
                    long written = b.drainTo(channel);
                    assertThat(written).isBetween(1L, (long) accept);
                    total += written;
                }
                assertThat(total).isEqualTo(298);
                assertThat(channel.out.toByteArray()).isEqualTo(range(d, 2, 300));
                assertThat(b.isEmpty()).isTrue();
                channel.accept = 0;
                assertThat(b.drainTo(channel)).isZero();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void fillFromAppendsWhatTheChannelGivesUntilEndOfStream(BufferLayout layout) throws Exception {
        byte[] d = data(SIZE);
        byte[] more = data(5000);
        for (int hint : new int[] {1, 16, 4096, 65536}) {
            try (LinkBuffer b = layout.build(d)) {
                ReadableByteChannel channel = Channels.newChannel(new ByteArrayInputStream(more));
                int total = 0;
                int n = 0;
                for (int round = 0; round < 10_000 && (n = b.fillFrom(channel, hint)) >= 0; round++) {
                    assertThat(n).isPositive();
                    total += n;
                    assertThat(b.len()).as("fillFrom flushes").isEqualTo(SIZE + total);
                }
                assertThat(n).isEqualTo(-1);
                assertThat(total).isEqualTo(more.length);
                assertThat(b.readBinary(SIZE)).isEqualTo(d);
                assertThat(b.readBinary(more.length))
                        .as("fillFrom with size hint %d", hint)
                        .isEqualTo(more);
                b.release();
            }
        }
    }

    /** A channel that takes at most {@code accept} bytes per write, as a full socket would. */
    static final class StingyChannel implements GatheringByteChannel {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int accept;

        StingyChannel(int accept) {
            this.accept = accept;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            long total = 0;
            for (int i = offset; i < offset + length && total < accept; i++) {
                total += write(srcs[i], (int) (accept - total));
            }
            return total;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) {
            return write(src, accept);
        }

        private int write(ByteBuffer src, int max) {
            int n = Math.min(max, src.remaining());
            for (int i = 0; i < n; i++) {
                out.write(src.get());
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }
}
