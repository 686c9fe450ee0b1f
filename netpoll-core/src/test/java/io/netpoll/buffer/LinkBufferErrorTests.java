package io.netpoll.buffer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every wrong use gets the documented exception, with a message that says what was wrong. */
class LinkBufferErrorTests {

    /** Reader and Writer operations with a size, called with -1. */
    static Map<String, ThrowingConsumer<LinkBuffer>> negativeSizes() {
        Map<String, ThrowingConsumer<LinkBuffer>> ops = new LinkedHashMap<>();
        ops.put("next", b -> b.next(-1));
        ops.put("peek", b -> b.peek(-1));
        ops.put("skip", b -> b.skip(-1));
        ops.put("readString", b -> b.readString(-1));
        ops.put("readBinary", b -> b.readBinary(-1));
        ops.put("slice", b -> b.slice(-1));
        ops.put("append", b -> new LinkBuffer().append(b, -1));
        ops.put("malloc", b -> b.malloc(-1));
        ops.put("mallocAck", b -> b.mallocAck(-1));
        ops.put("writeDirect", b -> b.writeDirect(ByteBuffer.wrap(new byte[] {1}), -1));
        return ops;
    }

    @Test
    void everyNegativeSizeIsAnIllegalArgumentExceptionNamingTheOperationAndTheSize() throws Exception {
        for (Map.Entry<String, ThrowingConsumer<LinkBuffer>> op :
                negativeSizes().entrySet()) {
            try (LinkBuffer b = new LinkBuffer()) {
                b.writeString("some bytes");
                b.flush();
                assertThat(org.assertj.core.api.Assertions.catchThrowable(
                                () -> op.getValue().accept(b)))
                        .as(op.getKey() + "(-1)")
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(op.getKey())
                        .hasMessageContaining("-1");
                assertThat(b.len())
                        .as("len() after a rejected %s(-1)", op.getKey())
                        .isEqualTo(10);
                assertThat(b.readString(10)).isEqualTo("some bytes");
                b.release();
            }
        }
    }

    @Test
    void readingMoreThanIsReadableSaysHowManyWereAskedAndHowManyAreThere() throws Exception {
        Map<String, ThrowingConsumer<LinkBuffer>> ops = new LinkedHashMap<>();
        ops.put("next", b -> b.next(5));
        ops.put("peek", b -> b.peek(5));
        ops.put("skip", b -> b.skip(5));
        ops.put("readString", b -> b.readString(5));
        ops.put("readBinary", b -> b.readBinary(5));
        ops.put("slice", b -> b.slice(5));
        ops.put("append", b -> new LinkBuffer().append(b, 5));
        for (Map.Entry<String, ThrowingConsumer<LinkBuffer>> op : ops.entrySet()) {
            try (LinkBuffer b = BufferLayout.appended(new byte[] {'a', 'b', 'c'}, BufferLayout.fixed(1), true)) {
                b.writeString("unflushed");
                assertThat(org.assertj.core.api.Assertions.catchThrowable(
                                () -> op.getValue().accept(b)))
                        .as(op.getKey() + "(5) with 3 readable")
                        .isInstanceOf(IndexOutOfBoundsException.class)
                        .hasMessageContaining(op.getKey())
                        .hasMessageContaining("5")
                        .hasMessageContaining("3");
                assertThat(b.len())
                        .as("nothing taken by a failed %s", op.getKey())
                        .isEqualTo(3);
                assertThat(b.mallocLen()).isEqualTo(9);
                assertThat(b.readString(3)).isEqualTo("abc");
                b.release();
            }
        }
    }

    @Test
    void readByteOnAnEmptyBufferIsAnIndexOutOfBoundsException() {
        try (LinkBuffer b = new LinkBuffer()) {
            assertThatThrownBy(b::readByte)
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("readByte")
                    .hasMessageContaining("0");
        }
    }

    @Test
    void untilWithoutTheDelimiterSaysWhatWasSearchedAndLeavesTheBytes() throws Exception {
        try (LinkBuffer b = new LinkBuffer()) {
            b.writeString("no newline here");
            b.flush();
            assertThatThrownBy(() -> b.until((byte) '\n'))
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("until")
                    .hasMessageContaining("0x0a")
                    .hasMessageContaining("15");
            assertThat(b.readString(15)).isEqualTo("no newline here");
            b.release();
        }
    }

    @Test
    void mallocAckBeyondMallocLenSaysBothNumbersAndKeepsTheWrittenBytes() throws Exception {
        try (LinkBuffer b = new LinkBuffer()) {
            b.malloc(4).put(new byte[] {1, 2, 3, 4});
            assertThatThrownBy(() -> b.mallocAck(5))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("mallocAck(5)")
                    .hasMessageContaining("4");
            assertThat(b.mallocLen()).isEqualTo(4);
            b.flush();
            assertThat(b.readBinary(4)).containsExactly(1, 2, 3, 4);
            b.release();
        }
    }

    @Test
    void writeDirectBeyondTheReservedBytesIsAnIllegalArgumentException() throws Exception {
        try (LinkBuffer b = new LinkBuffer()) {
            b.malloc(3).put(new byte[] {1, 2, 3});
            assertThatThrownBy(() -> b.writeDirect(ByteBuffer.wrap(new byte[] {9}), 4))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("4")
                    .hasMessageContaining("3");
            assertThat(b.mallocLen()).isEqualTo(3);
            b.flush();
            assertThat(b.readBinary(3)).containsExactly(1, 2, 3);
            b.release();
        }
    }

    @Test
    void writeBinaryWithAnOutOfRangeSliceOfTheArrayIsRejectedBeforeWritingAnything() {
        try (LinkBuffer b = new LinkBuffer()) {
            byte[] src = new byte[4];
            assertThatThrownBy(() -> b.writeBinary(src, 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> b.writeBinary(src, -1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> b.writeBinary(src, 0, -1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(b.mallocLen()).isZero();
        }
    }

    @Test
    void everyOperationOnAClosedBufferIsAnIllegalStateExceptionSayingItIsClosed() {
        Map<String, ThrowingConsumer<LinkBuffer>> ops = new LinkedHashMap<>();
        ops.put("next", b -> b.next(1));
        ops.put("next(0)", b -> b.next(0));
        ops.put("peek", b -> b.peek(1));
        ops.put("skip", b -> b.skip(1));
        ops.put("until", b -> b.until((byte) 'x'));
        ops.put("indexOf", b -> b.indexOf((byte) 'x'));
        ops.put("readByte", LinkBuffer::readByte);
        ops.put("readString", b -> b.readString(1));
        ops.put("readBinary", b -> b.readBinary(1));
        ops.put("slice", b -> b.slice(1));
        ops.put("malloc", b -> b.malloc(1));
        ops.put("malloc(0)", b -> b.malloc(0));
        ops.put("mallocAck", b -> b.mallocAck(0));
        ops.put("writeBinary(byte[])", b -> b.writeBinary(new byte[] {1}));
        ops.put("writeBinary(ByteBuffer)", b -> b.writeBinary(ByteBuffer.wrap(new byte[] {1})));
        ops.put("writeString", b -> b.writeString("x"));
        ops.put("writeByte", b -> b.writeByte((byte) 1));
        ops.put("writeDirect", b -> b.writeDirect(ByteBuffer.wrap(new byte[] {1}), 0));
        ops.put("append", b -> {
            try (LinkBuffer other = new LinkBuffer()) {
                other.writeString("x");
                b.append(other);
            }
        });
        ops.put("flush", LinkBuffer::flush);
        ops.put("fillFrom", b -> b.fillFrom(Channels.newChannel(new ByteArrayInputStream(new byte[] {1})), 64));
        ops.put("drainTo", b -> b.drainTo(new LinkBufferLayoutTests.StingyChannel(10)));
        for (Map.Entry<String, ThrowingConsumer<LinkBuffer>> op : ops.entrySet()) {
            LinkBuffer b = new LinkBuffer();
            b.writeString("abc");
            b.close();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(
                            () -> op.getValue().accept(b)))
                    .as("%s after close()", op.getKey())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void writingZeroBytesToAClosedBufferIsAnIllegalStateExceptionToo() {
        // A closed buffer must not look usable just because the write happened to be empty.
        Map<String, ThrowingConsumer<LinkBuffer>> ops = new LinkedHashMap<>();
        ops.put("writeBinary(new byte[0])", b -> b.writeBinary(new byte[0]));
        ops.put("writeBinary(empty ByteBuffer)", b -> b.writeBinary(ByteBuffer.allocate(0)));
        ops.put("writeString(\"\")", b -> b.writeString(""));
        ops.put("writeDirect(empty, 0)", b -> b.writeDirect(ByteBuffer.allocate(0), 0));
        for (Map.Entry<String, ThrowingConsumer<LinkBuffer>> op : ops.entrySet()) {
            LinkBuffer b = new LinkBuffer();
            b.close();
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                    () -> op.getValue().accept(b));
            assertThat(thrown)
                    .as("what %s after close() throws", op.getKey())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void aNegativeSizeHintForFillFromIsAnIllegalArgumentException() {
        try (LinkBuffer b = new LinkBuffer()) {
            assertThatThrownBy(() -> b.fillFrom(Channels.newChannel(new ByteArrayInputStream(new byte[] {1})), -1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fillFrom")
                    .hasMessageContaining("-1");
            assertThat(b.isEmpty()).isTrue();
        }
    }

    @Test
    void appendingAClosedBufferIsAnIllegalStateException() {
        try (LinkBuffer b = new LinkBuffer()) {
            LinkBuffer closed = new LinkBuffer();
            closed.close();
            assertThatThrownBy(() -> b.append(closed))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
            assertThat(b.isEmpty()).isTrue();
        }
    }

    @Test
    void appendingABufferToItselfIsRejected() {
        try (LinkBuffer b = new LinkBuffer()) {
            b.writeString("abc");
            assertThatThrownBy(() -> b.append(b))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("itself");
            b.flush();
            assertThatThrownBy(() -> b.append(b, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("itself");
            assertThat(b.len()).isEqualTo(3);
        }
    }

    @Test
    void closeIsIdempotentAndReleaseAfterCloseIsHarmless() {
        LinkBuffer b = new LinkBuffer();
        b.writeString("abc");
        b.close();
        assertThatCode(b::close).doesNotThrowAnyException();
        assertThatCode(b::release).doesNotThrowAnyException();
        assertThat(b.len()).isZero();
    }

    @Test
    void aNodeSizeOutsideThePoolsSizeClassesIsRejectedWithTheAllowedRange() {
        assertThatThrownBy(() -> new LinkBuffer(BufferPool.defaultPool(), BufferPool.MIN_NODE_SIZE - 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(BufferPool.MIN_NODE_SIZE))
                .hasMessageContaining(String.valueOf(BufferPool.MAX_NODE_SIZE));
        assertThatThrownBy(() -> new LinkBuffer(BufferPool.defaultPool(), BufferPool.MAX_NODE_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LinkBuffer(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("pool");
    }

    @Test
    void aNegativePoolCeilingIsRejected() {
        assertThatThrownBy(() -> BufferPool.create(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void mallocOfZeroBytesReturnsAnEmptyViewThatAcceptsAnEmptyPut() {
        // Generic fill code does malloc(n).put(src) for whatever n it has, including 0.
        try (LinkBuffer b = new LinkBuffer()) {
            ByteBuffer view = b.malloc(0);
            assertThat(view.remaining()).isZero();
            assertThatCode(() -> view.put(new byte[0]))
                    .as("malloc(0).put(new byte[0])")
                    .doesNotThrowAnyException();
            assertThat(b.mallocLen()).isZero();
        }
    }

    @Test
    void aFailedReadDoesNotCorruptAnAppendedOrSlicedChain() throws Exception {
        try (LinkBuffer b =
                BufferLayout.appended("hello world".getBytes(StandardCharsets.US_ASCII), BufferLayout.fixed(2), true)) {
            try (LinkBuffer s = b.slice(5)) {
                assertThatThrownBy(() -> s.next(6)).isInstanceOf(IndexOutOfBoundsException.class);
                assertThatThrownBy(() -> b.readBinary(7)).isInstanceOf(IndexOutOfBoundsException.class);
                assertThat(s.readString(5)).isEqualTo("hello");
                assertThat(b.readString(6)).isEqualTo(" world");
                s.release();
                b.release();
            }
        }
    }
}
