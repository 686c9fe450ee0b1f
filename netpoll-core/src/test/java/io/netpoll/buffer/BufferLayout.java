package io.netpoll.buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A way of laying given bytes out over memory nodes: the same readable bytes, built so that node
 * boundaries fall in different places (after Okio's segment-layout tests). {@link #build} returns
 * a buffer whose readable bytes are exactly {@code data}, with nothing written but unflushed; the
 * caller closes it.
 */
public record BufferLayout(String name, Builder builder) {

    /** Builds a buffer with {@code data} readable. */
    @FunctionalInterface
    public interface Builder {
        LinkBuffer build(byte[] data) throws IOException;
    }

    public LinkBuffer build(byte[] data) {
        try {
            LinkBuffer buffer = builder.build(data);
            if (buffer.len() != data.length || buffer.mallocLen() != 0) {
                int len = buffer.len();
                int mallocLen = buffer.mallocLen();
                buffer.close();
                throw new AssertionError("layout '" + name + "' built len()=" + len + ", mallocLen()=" + mallocLen
                        + " for " + data.length + " bytes");
            }
            return buffer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** Every layout the layout tests run against. */
    public static List<BufferLayout> all() {
        List<BufferLayout> layouts = new ArrayList<>();
        layouts.add(new BufferLayout("one big node", data -> {
            LinkBuffer b = new LinkBuffer();
            b.writeBinary(data);
            b.flush();
            return b;
        }));
        layouts.add(new BufferLayout(
                "1-byte nodes (appended flushed 1-byte buffers)", data -> appended(data, fixed(1), true)));
        layouts.add(new BufferLayout(
                "1-byte nodes (appended unflushed 1-byte buffers)", data -> appended(data, fixed(1), false)));
        layouts.add(new BufferLayout("2-byte nodes", data -> appended(data, fixed(2), true)));
        for (long seed : new long[] {1, 2, 3}) {
            layouts.add(new BufferLayout(
                    "random splits (seed " + seed + ")", data -> appended(data, random(seed, 13), seed % 2 == 0)));
        }
        layouts.add(new BufferLayout("writeDirect of heap chunks (seed 4)", data -> {
            LinkBuffer b = new LinkBuffer();
            for (byte[] chunk : split(data, random(4, 9))) {
                b.writeDirect(ByteBuffer.wrap(chunk), 0);
            }
            b.flush();
            return b;
        }));
        layouts.add(new BufferLayout("writeDirect of direct chunks between copied chunks (seed 5)", data -> {
            LinkBuffer b = new LinkBuffer();
            int i = 0;
            for (byte[] chunk : split(data, random(5, 7))) {
                if (i++ % 2 == 0) {
                    ByteBuffer direct = ByteBuffer.allocateDirect(chunk.length + 4);
                    direct.position(2);
                    direct.put(chunk);
                    direct.flip().position(2);
                    b.writeDirect(direct, 0);
                } else {
                    b.writeBinary(chunk);
                }
            }
            b.flush();
            return b;
        }));
        layouts.add(new BufferLayout("writeDirect of read-only, sliced and little-endian buffers (seed 10)", data -> {
            LinkBuffer b = new LinkBuffer();
            int i = 0;
            for (byte[] chunk : split(data, random(10, 12))) {
                byte[] backing = new byte[chunk.length + 6];
                System.arraycopy(chunk, 0, backing, 3, chunk.length);
                ByteBuffer sliced = ByteBuffer.wrap(backing, 3, chunk.length).slice();
                ByteBuffer extra = switch (i++ % 3) {
                    case 0 -> sliced.asReadOnlyBuffer();
                    case 1 -> sliced.order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    default -> sliced;
                };
                b.writeDirect(extra, 0);
            }
            b.flush();
            return b;
        }));
        layouts.add(new BufferLayout("smallest pool nodes, starting 60 bytes into the first", data -> {
            LinkBuffer b = new LinkBuffer(BufferPool.defaultPool(), BufferPool.MIN_NODE_SIZE);
            b.writeBinary(new byte[60]);
            b.flush();
            b.skip(60);
            for (byte[] chunk : split(data, random(6, 5))) {
                b.writeBinary(chunk);
                b.flush();
            }
            return b;
        }));
        layouts.add(new BufferLayout("malloc'd and filled in place in smallest pool nodes", data -> {
            LinkBuffer b = new LinkBuffer(BufferPool.defaultPool(), BufferPool.MIN_NODE_SIZE);
            for (byte[] chunk : split(data, random(7, 11))) {
                ByteBuffer view = b.malloc(chunk.length + 20);
                view.put(chunk);
                b.mallocAck(b.mallocLen() - 20);
            }
            b.flush();
            return b;
        }));
        layouts.add(new BufferLayout("after a read and released prefix (seed 8)", data -> {
            LinkBuffer b = appended(concat(new byte[] {'#', '#', '#', '#', '#'}, data), random(8, 6), true);
            b.skip(5);
            b.release();
            return b;
        }));
        layouts.add(new BufferLayout("slice of a bigger buffer (seed 9)", data -> {
            byte[] framed = concat(concat("<head>".getBytes(), data), "<tail>".getBytes());
            try (LinkBuffer source = appended(framed, random(9, 8), true)) {
                source.skip(6);
                return source.slice(data.length);
            }
        }));
        return layouts;
    }

    interface Splitter {
        int nextSize(int remaining);
    }

    static Splitter fixed(int size) {
        return remaining -> Math.min(size, remaining);
    }

    static Splitter random(long seed, int max) {
        Random random = new Random(seed);
        return remaining -> Math.min(remaining, 1 + random.nextInt(max));
    }

    static List<byte[]> split(byte[] data, Splitter splitter) {
        List<byte[]> chunks = new ArrayList<>();
        int off = 0;
        while (off < data.length) {
            int n = splitter.nextSize(data.length - off);
            byte[] chunk = new byte[n];
            System.arraycopy(data, off, chunk, 0, n);
            chunks.add(chunk);
            off += n;
        }
        return chunks;
    }

    /** A buffer made of one appended small buffer per chunk, so it keeps their nodes. */
    static LinkBuffer appended(byte[] data, Splitter splitter, boolean flushPieces) throws IOException {
        return appended(BufferPool.defaultPool(), data, splitter, flushPieces);
    }

    /** Same, with every node from {@code pool}. */
    static LinkBuffer appended(BufferPool pool, byte[] data, Splitter splitter, boolean flushPieces)
            throws IOException {
        LinkBuffer b = new LinkBuffer(pool);
        for (byte[] chunk : split(data, splitter)) {
            LinkBuffer piece = new LinkBuffer(pool);
            piece.writeBinary(chunk);
            if (flushPieces) {
                piece.flush();
            }
            b.append(piece);
            piece.close();
        }
        b.flush();
        return b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
