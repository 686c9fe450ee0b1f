package io.netpoll.buffer;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LinkBuffer#mallocAvailable()}: the tail node's room, for producers of bounded, unknown size (TLS). */
class LinkBufferMallocAvailableTests {

    @Test
    void reportsTheRoomLeftInTheWriteNode() {
        try (LinkBuffer b = new LinkBuffer(BufferPool.defaultPool(), 4096)) {
            assertThat(b.mallocAvailable()).isZero(); // no node yet
            b.malloc(1000);
            assertThat(b.mallocAvailable()).isEqualTo(4096 - 1000);
            // Filling exactly that room takes no new node: the bytes stay contiguous in the tail.
            ByteBuffer rest = b.malloc(b.mallocAvailable());
            assertThat(rest.remaining()).isEqualTo(3096);
            assertThat(b.mallocAvailable()).isZero();
            b.mallocAck(1500); // what a producer kept of what it reserved
            assertThat(b.mallocAvailable()).isEqualTo(4096 - 1500);
            b.flush();
            assertThat(b.len()).isEqualTo(1500);
            b.skip(1500);
            b.release();
            assertThat(b.isEmpty()).isTrue();
        }
    }

    @Test
    void pinsTheWriterUntilFlushSoAnEmptyBufferKeepsItsNode() {
        try (LinkBuffer b = new LinkBuffer()) {
            b.writeByte((byte) 1);
            b.flush();
            b.skip(1);
            int room = b.mallocAvailable(); // pinned: the release below must not free the node
            b.release();
            assertThat(room).isPositive();
            assertThat(b.malloc(room).remaining()).isEqualTo(room);
            // The same node: its room is used up exactly (a new node would have room left over).
            assertThat(b.mallocAvailable()).isZero();
            b.mallocAck(0);
            b.flush();
        }
        LinkBuffer closed = new LinkBuffer();
        closed.close();
        assertThatThrownBy(closed::mallocAvailable).isInstanceOf(IllegalStateException.class);
    }
}
