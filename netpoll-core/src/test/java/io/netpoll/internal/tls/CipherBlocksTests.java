package io.netpoll.internal.tls;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CipherBlocksTests {

    @Test
    void blocksComeInPowerOfTwoSizesAndAreReused() {
        CipherBlocks blocks = new CipherBlocks(4);
        ByteBuffer a = blocks.take(100);
        assertThat(a.capacity()).isEqualTo(1024);
        assertThat(a.isDirect()).isFalse(); // heap: the JDK's AES-GCM is fastest there
        assertThat(blocks.take(20_000).capacity()).isEqualTo(32 * 1024);
        assertThat(blocks.outstanding()).isEqualTo(2);
        assertThat(blocks.outstandingBytes()).isEqualTo(1024 + 32 * 1024);
        a.position(10).limit(20);
        blocks.give(a);
        ByteBuffer again = blocks.take(1000);
        assertThat(again).isSameAs(a);
        assertThat(again.position()).isZero();
        assertThat(again.limit()).isEqualTo(1024);
    }

    @Test
    void pooledMemoryIsBoundedAndLargeBlocksAreNotPooled() {
        CipherBlocks blocks = new CipherBlocks(2);
        ByteBuffer[] taken = {blocks.take(4096), blocks.take(4096), blocks.take(4096)};
        for (ByteBuffer b : taken) {
            blocks.give(b); // the third finds no free slot and is dropped
        }
        assertThat(blocks.outstanding()).isZero();
        Set<ByteBuffer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 3; i++) {
            seen.add(blocks.take(4096));
        }
        int reused = 0;
        for (ByteBuffer b : taken) {
            reused += seen.contains(b) ? 1 : 0;
        }
        assertThat(reused).isEqualTo(2);
        ByteBuffer big = blocks.take(CipherBlocks.MAX_BLOCK + 1);
        assertThat(big.capacity()).isEqualTo(CipherBlocks.MAX_BLOCK + 1);
        blocks.give(big);
        assertThat(blocks.take(CipherBlocks.MAX_BLOCK + 1)).isNotSameAs(big);
        assertThat(blocks.maxPooledBytes()).isEqualTo(2L * (1 + 2 + 4 + 8 + 16 + 32 + 64) * 1024);
    }

    @Test
    void aDirectPoolGivesDirectBlocksAndReusesThem() {
        CipherBlocks blocks = new CipherBlocks(4, true);
        assertThat(blocks.isDirect()).isTrue();
        ByteBuffer a = blocks.take(5000);
        assertThat(a.isDirect()).isTrue();
        assertThat(a.capacity()).isEqualTo(8 * 1024);
        blocks.give(a);
        assertThat(blocks.take(8000)).isSameAs(a);
        assertThat(CipherBlocks.shared().isDirect()).isFalse();
        assertThat(CipherBlocks.sharedDirect().isDirect()).isTrue();
    }
}
