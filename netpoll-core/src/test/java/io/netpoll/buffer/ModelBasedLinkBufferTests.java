package io.netpoll.buffer;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Model-based tests: random sequences of Writer and Reader operations on a {@link LinkBuffer},
 * each checked against a plain byte-array model of the readable and the written-but-unflushed
 * bytes, with the views, slices and pool statistics checked along the way.
 *
 * <p>The sequences come from a seeded generator (not jqwik, see netpoll-core's pom). A failure
 * is shrunk (operations removed while it still fails) and reported with its seed and the shrunk
 * sequence. Reproduce one seed with {@code -Dnetpoll.model.seed=SEED}; run more seeds with
 * {@code -Dnetpoll.model.runs=N} (default {@value #DEFAULT_RUNS}).
 */
class ModelBasedLinkBufferTests {

    static final int DEFAULT_RUNS = 1000;

    /** A byte the generators never produce, so searching for it always fails. */
    static final byte ABSENT = 0x7F;

    @Test
    void randomOperationSequencesMatchAByteArrayModel() {
        String one = System.getProperty("netpoll.model.seed");
        if (one != null) {
            check(Long.parseLong(one.trim()), false);
            return;
        }
        int runs = Integer.getInteger("netpoll.model.runs", DEFAULT_RUNS);
        for (long seed = 1; seed <= runs; seed++) {
            check(seed, false);
        }
    }

    @Test
    void randomSequencesWithLargeWritesMatchAByteArrayModel() {
        int runs = Integer.getInteger("netpoll.model.runs", DEFAULT_RUNS) / 4;
        for (long seed = 1_000_001; seed <= 1_000_000 + runs; seed++) {
            check(seed, true);
        }
    }

    @Test
    void theShrinkerReportsTheSeedAndAMinimalSequence() {
        // A deliberately wrong model (it forgets to flush) must be caught, shrunk and reported.
        List<Op> ops = new ArrayList<>(List.of(
                new Write(5, 1, 0), new Write(3, 2, 1), new Flush(), new WriteByte(9), new Next(999), new Release()));
        Scenario scenario = new Scenario(42, 4096, ops);
        AssertionError error = scenario.failureReport(run -> {
            run.execute(run.ops);
            if (run.buffer.len() != 0) {
                throw new AssertionError("pretend bug: bytes left after next");
            }
        });
        assertThat(error).isNotNull();
        assertThat(error.getMessage())
                .contains("seed 42")
                .contains("-Dnetpoll.model.seed=42")
                .contains("pretend bug")
                .contains("Shrunk from 6 to");
    }

    static void check(long seed, boolean large) {
        Random random = new Random(seed);
        int[] nodeSizes = {BufferPool.MIN_NODE_SIZE, 128, 256, LinkBuffer.DEFAULT_NODE_SIZE};
        int nodeSize = nodeSizes[random.nextInt(nodeSizes.length)];
        List<Op> ops = generate(random, large);
        Scenario scenario = new Scenario(seed, nodeSize, ops);
        AssertionError error = scenario.failureReport(run -> run.execute(run.ops));
        if (error != null) {
            throw error;
        }
    }

    static List<Op> generate(Random r, boolean large) {
        int count = 1 + r.nextInt(150);
        List<Op> ops = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int size = large && r.nextInt(4) == 0 ? r.nextInt(20_000) : r.nextInt(r.nextBoolean() ? 8 : 80);
            int p = r.nextInt(Integer.MAX_VALUE);
            int q = r.nextInt(Integer.MAX_VALUE);
            ops.add(
                    switch (r.nextInt(28)) {
                        case 24 -> new FillFrom(size, 1 + q % 8192);
                        case 25 -> new DrainTo(1 + p % 200);
                        case 26 -> new AppendTo(p, q % 2);
                        case 27 -> new AppendPartOfSlice(p);
                        case 0, 1, 2 -> new Write(size, p, q % 4);
                        case 3 -> new WriteByte(p);
                        case 4 -> new WriteString(size, p);
                        case 5, 6 -> new Malloc(size, p, q);
                        case 7 -> new MallocAck(p);
                        case 8 -> new WriteDirect(size % 40, p % 40, q % 4 + size % 30);
                        case 9, 10, 11 -> new Flush();
                        case 12, 13 -> new Next(p);
                        case 14 -> new Peek(p);
                        case 15 -> new Skip(p);
                        case 16 -> new Until(p);
                        case 17 -> new IndexOf(p);
                        case 18 -> new ReadByte();
                        case 19 -> new ReadBinary(p, q % 3);
                        case 20 -> new Slice(p);
                        case 21 -> new UseSlice(p, q % 3);
                        case 22 -> new AppendFresh(size, p, q);
                        default -> new Release();
                    });
        }
        return ops;
    }

    // ---------------------------------------------------------------------------------------
    // The scenario: runs a sequence, shrinks it on failure, reports.

    interface Body {
        void run(Run run) throws Exception;
    }

    record Scenario(long seed, int nodeSize, List<Op> ops) {

        /** Runs the sequence; returns null if it passes, else the report of a shrunk failure. */
        AssertionError failureReport(Body body) {
            Throwable original = attempt(body, ops);
            if (original == null) {
                return null;
            }
            List<Op> shrunk = new ArrayList<>(ops);
            Throwable last = original;
            int budget = 3_000;
            for (int chunk = Math.max(1, shrunk.size() / 2); chunk >= 1 && budget > 0; chunk /= 2) {
                boolean progress = true;
                while (progress && budget > 0) {
                    progress = false;
                    for (int start = 0; start < shrunk.size() && budget > 0; ) {
                        List<Op> candidate = new ArrayList<>(shrunk);
                        candidate
                                .subList(start, Math.min(candidate.size(), start + chunk))
                                .clear();
                        budget--;
                        Throwable t = attempt(body, candidate);
                        if (t != null) {
                            shrunk = candidate;
                            last = t;
                            progress = true;
                        } else {
                            start += chunk;
                        }
                    }
                }
            }
            StringBuilder message = new StringBuilder()
                    .append("LinkBuffer disagrees with the model for seed ")
                    .append(seed)
                    .append(" (nodeSize ")
                    .append(nodeSize)
                    .append("; reproduce with -Dnetpoll.model.seed=")
                    .append(seed)
                    .append(").\nShrunk from ")
                    .append(ops.size())
                    .append(" to ")
                    .append(shrunk.size())
                    .append(" operations:\n");
            for (Op op : shrunk) {
                message.append("  ").append(op).append('\n');
            }
            message.append("fails with: ")
                    .append(last)
                    .append("\noriginal failure: ")
                    .append(original);
            AssertionError error = new AssertionError(message.toString(), last);
            error.addSuppressed(original);
            return error;
        }

        private Throwable attempt(Body body, List<Op> sequence) {
            Run run = new Run(nodeSize, sequence);
            try {
                body.run(run);
                run.finish();
                return null;
            } catch (Throwable t) {
                run.abandon();
                return t;
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // One run: the buffer under test and its model.

    static final class Run {
        final List<Op> ops;
        final BufferPool pool = BufferPool.create(1 << 20);
        final int nodeSize;
        final LinkBuffer buffer;
        final Bytes readable = new Bytes();
        final Bytes unflushed = new Bytes();
        final List<View> views = new ArrayList<>();
        final List<SliceModel> slices = new ArrayList<>();
        /** False between a write and the next flush: the buffer may then keep its tail node. */
        boolean writerIdle = true;

        int step;

        Run(int nodeSize, List<Op> ops) {
            this.nodeSize = nodeSize;
            this.ops = ops;
            this.buffer = new LinkBuffer(pool, nodeSize);
        }

        void execute(List<Op> sequence) throws Exception {
            for (Op op : sequence) {
                if (op instanceof Write
                        || op instanceof WriteByte
                        || op instanceof WriteString
                        || op instanceof Malloc
                        || op instanceof MallocAck
                        || op instanceof WriteDirect
                        || op instanceof AppendFresh
                        || op instanceof UseSlice
                        || op instanceof FillFrom
                        || op instanceof AppendPartOfSlice) {
                    writerIdle = false;
                }
                op.apply(this);
                step++;
                checkSizes(op);
            }
        }

        void checkSizes(Op op) {
            assertThat(buffer.len()).as("len() after step %d: %s", step, op).isEqualTo(readable.size());
            assertThat(buffer.mallocLen())
                    .as("mallocLen() after step %d: %s", step, op)
                    .isEqualTo(unflushed.size());
            assertThat(buffer.isEmpty())
                    .as("isEmpty() after step %d: %s", step, op)
                    .isEqualTo(readable.size() == 0 && unflushed.size() == 0);
        }

        void checkViews(String when) {
            for (View v : views) {
                byte[] actual = new byte[v.view.remaining()];
                v.view.duplicate().get(actual);
                assertThat(actual).as("view from %s, checked %s", v.from, when).isEqualTo(v.expected);
            }
        }

        void releaseViews() {
            checkViews("before release()");
            views.clear();
        }

        /** Releases, reads and closes everything, and checks that every node came back. */
        void finish() throws Exception {
            releaseViews();
            buffer.release();
            buffer.flush();
            readable.add(unflushed.take(unflushed.size()));
            assertThat(buffer.readBinary(buffer.len()))
                    .as("every byte at the end")
                    .isEqualTo(readable.take(readable.size()));
            buffer.release();
            for (SliceModel s : slices) {
                assertThat(s.buffer.readBinary(s.buffer.len()))
                        .as("slice at the end")
                        .isEqualTo(s.bytes.take(s.bytes.size()));
                s.buffer.close();
            }
            slices.clear();
            buffer.close();
            buffer.close();
            BufferPoolStats stats = pool.stats();
            assertThat(stats.outstandingNodes())
                    .as("nodes outstanding after closing everything: %s", stats)
                    .isZero();
            assertThat(stats.usedBytes())
                    .as("bytes in use after closing everything: %s", stats)
                    .isZero();
            assertThat(stats.pooledBytes())
                    .as("pooled bytes within the ceiling: %s", stats)
                    .isLessThanOrEqualTo(stats.maxPooledBytes());
        }

        void abandon() {
            try {
                for (SliceModel s : slices) {
                    s.buffer.close();
                }
                buffer.close();
            } catch (Throwable ignored) {
                // the failure being reported matters, not this one
            }
        }

        int bounded(int p, int max) {
            return max <= 0 ? 0 : p % (max + 1);
        }
    }

    record View(ByteBuffer view, byte[] expected, String from) {}

    record SliceModel(LinkBuffer buffer, Bytes bytes) {}

    /** A growable byte queue: the model. */
    static final class Bytes {
        private byte[] data = new byte[64];
        private int start;
        private int end;

        int size() {
            return end - start;
        }

        byte get(int i) {
            return data[start + i];
        }

        void add(byte[] b) {
            if (end + b.length > data.length) {
                byte[] grown = new byte[Math.max(data.length * 2, size() + b.length + 64)];
                System.arraycopy(data, start, grown, 0, size());
                end = size();
                start = 0;
                data = grown;
            }
            System.arraycopy(b, 0, data, end, b.length);
            end += b.length;
        }

        byte[] peek(int n) {
            return Arrays.copyOfRange(data, start, start + n);
        }

        byte[] take(int n) {
            byte[] r = peek(n);
            start += n;
            return r;
        }

        void truncate(int n) {
            end = start + n;
        }

        int indexOf(byte b) {
            for (int i = start; i < end; i++) {
                if (data[i] == b) {
                    return i - start;
                }
            }
            return -1;
        }
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            byte v = (byte) r.nextInt(256);
            b[i] = v == ABSENT ? 0 : v;
        }
        return b;
    }

    static byte[] bytesOf(ByteBuffer view) {
        byte[] r = new byte[view.remaining()];
        view.duplicate().get(r);
        return r;
    }

    // ---------------------------------------------------------------------------------------
    // Operations. Their parameters are raw random numbers resolved against the model when they
    // run, so every subsequence of a valid sequence is valid too (which the shrinker relies on).

    interface Op {
        void apply(Run run) throws Exception;
    }

    record Write(int size, int seed, int how) implements Op {
        public void apply(Run run) {
            byte[] data = pattern(size, seed);
            switch (how) {
                case 0 -> run.buffer.writeBinary(data);
                case 1 -> {
                    byte[] padded =
                            BufferLayout.concat(BufferLayout.concat(new byte[] {1, 2, 3}, data), new byte[] {4});
                    run.buffer.writeBinary(padded, 3, size);
                }
                case 2 -> {
                    ByteBuffer heap = ByteBuffer.wrap(data);
                    run.buffer.writeBinary(heap);
                    assertThat(heap.remaining())
                            .as("writeBinary(ByteBuffer) consumes its source")
                            .isZero();
                }
                default -> {
                    ByteBuffer direct = ByteBuffer.allocateDirect(size + 2);
                    direct.put((byte) 0).put(data).flip().position(1);
                    run.buffer.writeBinary(direct);
                    assertThat(direct.remaining())
                            .as("writeBinary(direct ByteBuffer) consumes its source")
                            .isZero();
                }
            }
            run.unflushed.add(data);
        }
    }

    record WriteByte(int value) implements Op {
        public void apply(Run run) {
            byte b = (byte) (value % 127);
            run.buffer.writeByte(b);
            run.unflushed.add(new byte[] {b});
        }
    }

    record WriteString(int length, int seed) implements Op {
        public void apply(Run run) {
            Random r = new Random(seed);
            StringBuilder s = new StringBuilder();
            String alphabet = "abcXYZ09 é€😀中\n";
            for (int i = 0; i < length; i++) {
                s.appendCodePoint(alphabet.codePointAt(
                        alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            }
            // Neither encoding of this alphabet contains ABSENT (0x7F).
            Charset charset = switch (seed % 4) {
                case 0 -> StandardCharsets.UTF_16BE;
                case 1 -> StandardCharsets.ISO_8859_1; // unmappable characters become '?', as String.getBytes does
                default -> StandardCharsets.UTF_8;
            };
            byte[] encoded = s.toString().getBytes(charset);
            if (charset == StandardCharsets.UTF_8) {
                run.buffer.writeString(s.toString());
            } else {
                run.buffer.writeString(s.toString(), charset);
            }
            run.unflushed.add(encoded);
        }
    }

    record Malloc(int size, int seed, int ack) implements Op {
        public void apply(Run run) {
            ByteBuffer view = run.buffer.malloc(size);
            assertThat(view.remaining()).as("malloc(%d) view remaining", size).isEqualTo(size);
            byte[] data = pattern(size, seed);
            if (size == 0) {
                // malloc(0)'s view is checked by LinkBufferErrorTests (it is read-only today).
            } else if (seed % 2 == 0) {
                view.put(data);
            } else {
                for (int i = 0; i < size; i++) {
                    view.put(view.position() + 0, data[i]);
                    view.position(view.position() + 1);
                }
            }
            run.unflushed.add(data);
            if (ack % 3 == 0) {
                int keep = run.bounded(ack, run.unflushed.size());
                run.buffer.mallocAck(keep);
                run.unflushed.truncate(keep);
            }
        }
    }

    record MallocAck(int p) implements Op {
        public void apply(Run run) {
            int keep = run.bounded(p, run.unflushed.size());
            run.buffer.mallocAck(keep);
            run.unflushed.truncate(keep);
        }
    }

    record WriteDirect(int before, int remain, int extraSize) implements Op {
        public void apply(Run run) {
            ByteBuffer view = run.buffer.malloc(before + remain);
            byte[] fill = pattern(before + remain, before * 31 + remain);
            if (fill.length > 0) {
                view.put(fill);
            }
            byte[] extra = pattern(extraSize, extraSize * 17 + 3);
            ByteBuffer direct = extraSize % 2 == 0
                    ? ByteBuffer.wrap(extra)
                    : ByteBuffer.allocateDirect(extraSize).put(extra).flip();
            run.buffer.writeDirect(direct, remain);
            run.unflushed.add(Arrays.copyOfRange(fill, 0, before));
            run.unflushed.add(extra);
            run.unflushed.add(Arrays.copyOfRange(fill, before, before + remain));
        }
    }

    record Flush() implements Op {
        public void apply(Run run) throws Exception {
            run.buffer.flush();
            run.writerIdle = true;
            run.readable.add(run.unflushed.take(run.unflushed.size()));
            run.checkViews("after flush()");
        }
    }

    record Next(int p) implements Op {
        public void apply(Run run) throws Exception {
            int n = run.bounded(p, run.readable.size());
            ByteBuffer view = run.buffer.next(n);
            byte[] expected = run.readable.take(n);
            assertThat(bytesOf(view)).as("next(%d)", n).isEqualTo(expected);
            run.views.add(new View(view, expected, "next(" + n + ") at step " + run.step));
        }
    }

    record Peek(int p) implements Op {
        public void apply(Run run) throws Exception {
            int n = run.bounded(p, run.readable.size());
            ByteBuffer view = run.buffer.peek(n);
            byte[] expected = run.readable.peek(n);
            assertThat(bytesOf(view)).as("peek(%d)", n).isEqualTo(expected);
            run.views.add(new View(view, expected, "peek(" + n + ") at step " + run.step));
        }
    }

    record Skip(int p) implements Op {
        public void apply(Run run) throws Exception {
            int n = run.bounded(p, run.readable.size());
            run.buffer.skip(n);
            run.readable.take(n);
        }
    }

    record Until(int p) implements Op {
        public void apply(Run run) throws Exception {
            if (run.readable.size() == 0 || p % 5 == 0) {
                assertThatThrownBy(() -> run.buffer.until(ABSENT))
                        .as("until(absent byte)")
                        .isInstanceOf(IndexOutOfBoundsException.class);
                return;
            }
            byte delim = run.readable.get(p % run.readable.size());
            int at = run.readable.indexOf(delim);
            ByteBuffer view = run.buffer.until(delim);
            byte[] expected = run.readable.take(at + 1);
            assertThat(bytesOf(view)).as("until(%d)", delim).isEqualTo(expected);
            run.views.add(new View(view, expected, "until(" + delim + ") at step " + run.step));
        }
    }

    record IndexOf(int p) implements Op {
        public void apply(Run run) {
            byte delim = run.readable.size() == 0 || p % 4 == 0 ? ABSENT : run.readable.get(p % run.readable.size());
            assertThat(run.buffer.indexOf(delim)).as("indexOf(%d)", delim).isEqualTo(run.readable.indexOf(delim));
        }
    }

    record ReadByte() implements Op {
        public void apply(Run run) throws Exception {
            if (run.readable.size() == 0) {
                assertThatThrownBy(run.buffer::readByte)
                        .as("readByte() on nothing readable")
                        .isInstanceOf(IndexOutOfBoundsException.class);
                return;
            }
            assertThat(run.buffer.readByte()).isEqualTo(run.readable.take(1)[0]);
        }
    }

    record ReadBinary(int p, int how) implements Op {
        public void apply(Run run) throws Exception {
            int n = run.bounded(p, run.readable.size());
            byte[] expected = run.readable.take(n);
            switch (how) {
                case 0 ->
                    assertThat(run.buffer.readBinary(n)).as("readBinary(%d)", n).isEqualTo(expected);
                case 1 ->
                    assertThat(run.buffer.readString(n, StandardCharsets.ISO_8859_1))
                            .as("readString(%d, ISO_8859_1)", n)
                            .isEqualTo(new String(expected, StandardCharsets.ISO_8859_1));
                default ->
                    assertThat(run.buffer.readString(n))
                            .as("readString(%d)", n)
                            .isEqualTo(new String(expected, StandardCharsets.UTF_8));
            }
        }
    }

    record Slice(int p) implements Op {
        public void apply(Run run) throws Exception {
            int n = run.bounded(p, run.readable.size());
            run.releaseViews();
            LinkBuffer slice = run.buffer.slice(n);
            Bytes model = new Bytes();
            model.add(run.readable.take(n));
            assertThat(slice.len()).as("slice(%d).len()", n).isEqualTo(n);
            assertThat(slice.mallocLen()).isZero();
            run.slices.add(new SliceModel(slice, model));
        }
    }

    /** Reads part of a slice, closes it, or appends it to the buffer under test. */
    record UseSlice(int p, int how) implements Op {
        public void apply(Run run) throws Exception {
            if (run.slices.isEmpty()) {
                return;
            }
            SliceModel s = run.slices.get(p % run.slices.size());
            switch (how) {
                case 0 -> {
                    int n = run.bounded(p, s.bytes.size());
                    assertThat(s.buffer.readBinary(n))
                            .as("reading %d bytes of a slice", n)
                            .isEqualTo(s.bytes.take(n));
                    s.buffer.release();
                }
                case 1 -> {
                    s.buffer.close();
                    run.slices.remove(s);
                }
                default -> {
                    run.buffer.append(s.buffer);
                    run.unflushed.add(s.bytes.take(s.bytes.size()));
                    assertThat(s.buffer.isEmpty())
                            .as("a slice appended elsewhere is left empty")
                            .isTrue();
                    s.buffer.close();
                    run.slices.remove(s);
                }
            }
        }
    }

    /**
     * {@code target.append(buffer, n)}: moves readable bytes of the buffer under test to a new
     * buffer or to the end of an existing slice, which then flushes them.
     */
    record AppendTo(int p, int existing) implements Op {
        public void apply(Run run) throws Exception {
            int n = run.bounded(p, run.readable.size());
            run.releaseViews();
            SliceModel target;
            if (existing == 1 && !run.slices.isEmpty()) {
                target = run.slices.get(p % run.slices.size());
            } else {
                target = new SliceModel(new LinkBuffer(run.pool, run.nodeSize), new Bytes());
                run.slices.add(target);
            }
            target.buffer.append(run.buffer, n);
            assertThat(target.buffer.mallocLen())
                    .as("append(buffer, %d) leaves the bytes unflushed", n)
                    .isEqualTo(n);
            target.buffer.flush();
            target.bytes.add(run.readable.take(n));
            assertThat(target.buffer.len())
                    .as("target len after append(buffer, %d)", n)
                    .isEqualTo(target.bytes.size());
        }
    }

    /** {@code buffer.append(slice, n)}: moves part of a slice to the end of the buffer under test. */
    record AppendPartOfSlice(int p) implements Op {
        public void apply(Run run) throws Exception {
            if (run.slices.isEmpty()) {
                return;
            }
            SliceModel s = run.slices.get(p % run.slices.size());
            int n = run.bounded(p, s.bytes.size());
            run.buffer.append(s.buffer, n);
            run.unflushed.add(s.bytes.take(n));
            assertThat(s.buffer.len())
                    .as("slice len after giving away %d bytes", n)
                    .isEqualTo(s.bytes.size());
        }
    }

    /** Appends a new buffer with some flushed and some unflushed bytes, in 1-byte or bigger nodes. */
    record AppendFresh(int size, int seed, int layout) implements Op {
        public void apply(Run run) throws Exception {
            byte[] data = pattern(size, seed);
            int flushed = seed % (size + 1);
            LinkBuffer other;
            if (layout % 2 == 0) {
                other = BufferLayout.appended(
                        run.pool, Arrays.copyOf(data, flushed), BufferLayout.random(seed, 5), layout % 4 == 0);
            } else {
                other = new LinkBuffer(run.pool, run.nodeSize);
                other.writeBinary(data, 0, flushed);
                other.flush();
            }
            try {
                other.writeBinary(data, flushed, size - flushed);
                run.buffer.append(other);
                run.unflushed.add(data);
                assertThat(other.isEmpty())
                        .as("a buffer appended elsewhere is left empty")
                        .isTrue();
            } finally {
                other.close();
            }
        }
    }

    /** One read from a channel into the tail, then flush: everything written becomes readable. */
    record FillFrom(int size, int hint) implements Op {
        public void apply(Run run) throws Exception {
            byte[] data = pattern(size, size * 7 + hint);
            java.nio.channels.ReadableByteChannel channel =
                    java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(data));
            int n = run.buffer.fillFrom(channel, hint);
            if (size == 0) {
                assertThat(n).as("fillFrom at end of stream").isEqualTo(-1);
                n = 0;
            } else {
                assertThat(n)
                        .as("fillFrom(%d bytes available, hint %d)", size, hint)
                        .isBetween(1, size);
            }
            run.unflushed.add(Arrays.copyOf(data, n));
            run.readable.add(run.unflushed.take(run.unflushed.size()));
            run.writerIdle = true;
            run.checkViews("after fillFrom");
        }
    }

    /** One gathering write of the readable bytes to a channel taking at most {@code accept}. */
    record DrainTo(int accept) implements Op {
        public void apply(Run run) throws Exception {
            run.releaseViews(); // drainTo releases
            LinkBufferLayoutTests.StingyChannel channel = new LinkBufferLayoutTests.StingyChannel(accept);
            long n = run.buffer.drainTo(channel);
            assertThat(n)
                    .as("drainTo(channel taking %d) with %d readable", accept, run.readable.size())
                    .isBetween(run.readable.size() == 0 ? 0L : 1L, (long) Math.min(accept, run.readable.size()));
            assertThat(channel.out.toByteArray()).as("bytes drained").isEqualTo(run.readable.take((int) n));
        }
    }

    record Release() implements Op {
        public void apply(Run run) {
            run.releaseViews();
            run.buffer.release();
            if (run.writerIdle && run.buffer.isEmpty() && run.slices.isEmpty()) {
                BufferPoolStats stats = run.pool.stats();
                assertThat(stats.outstandingNodes())
                        .as("nodes held by an idle, empty buffer after release(): %s", stats)
                        .isZero();
            }
        }
    }
}
