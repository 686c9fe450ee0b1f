package io.netpoll.sample.kv;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast split of plain inline lines gives exactly what Redis' general split gives. */
class InlineSplitterTests {

    private static final byte[] ALPHABET = {
        'a', 'b', 'Z', '0', '9', '-', ':', ' ', ' ', ' ', '\t', '\r', '\n', 0x0b, '\f', (byte) 0xe9, (byte) 0xff
    };

    @Test
    void plainLinesSplitAsTheGeneralSplitDoesForThousandsOfRandomLines() {
        long seed = 20261127L;
        Random random = new Random(seed);
        for (int i = 0; i < 5_000; i++) {
            byte[] line = new byte[random.nextInt(40)];
            for (int j = 0; j < line.length; j++) {
                line[j] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            int pad = random.nextInt(3);
            ByteBuffer buffer = ByteBuffer.allocateDirect(line.length + 2 * pad);
            buffer.position(pad);
            buffer.put(line);
            List<byte[]> fast = new ArrayList<>();
            List<byte[]> general = new ArrayList<>();
            assertThat(InlineSplitter.split(buffer, pad, pad + line.length, fast))
                    .isTrue();
            assertThat(InlineSplitter.splitQuoted(buffer, pad, pad + line.length, general))
                    .isTrue();
            assertThat(fast)
                    .as("seed %d, line %d: %s", seed, i, java.util.Arrays.toString(line))
                    .usingElementComparator(java.util.Arrays::compare)
                    .containsExactlyElementsOf(general);
        }
    }

    @Test
    void quotedLinesStillGoThroughTheGeneralSplit() {
        ByteBuffer line = ByteBuffer.wrap(
                "set \"a b\" 'c\\'d' \"\\x41\\n\"".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        List<byte[]> out = new ArrayList<>();
        assertThat(InlineSplitter.split(line, 0, line.limit(), out)).isTrue();
        assertThat(out)
                .extracting(b -> new String(b, java.nio.charset.StandardCharsets.ISO_8859_1))
                .containsExactly("set", "a b", "c'd", "A\n");
    }
}
