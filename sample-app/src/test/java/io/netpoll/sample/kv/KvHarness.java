package io.netpoll.sample.kv;

import io.netpoll.buffer.LinkBuffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/** A key-value server without a network: bytes in through a LinkBuffer, replies out of another. */
final class KvHarness implements AutoCloseable {

    static final long T0 = 1_700_000_000_000L;

    final AtomicLong clock = new AtomicLong(T0);
    final RespLimits limits;
    final KeyValueStore store;
    final CommandExecutor executor;
    final LinkBuffer in = new LinkBuffer();
    final LinkBuffer out = new LinkBuffer();
    RespSession session;
    /** False once the session asked to close the connection. */
    boolean open = true;

    KvHarness() {
        this(RespLimits.DEFAULTS);
    }

    KvHarness(RespLimits limits) {
        this.limits = limits;
        this.store = new KeyValueStore(clock::get, limits.maxBulkLength());
        this.executor = new CommandExecutor(store, limits);
        this.session = new RespSession(executor, limits);
    }

    /** A new connection to the same store. */
    KvHarness reconnect() {
        session = new RespSession(executor, limits);
        open = true;
        in.skip(in.len());
        in.release();
        return this;
    }

    /** Sends {@code bytes}, processes them, and returns every reply byte produced (ISO-8859-1). */
    String send(byte[] bytes) {
        in.writeBinary(bytes);
        in.flush();
        return process();
    }

    String send(String raw) {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    String process() {
        try {
            boolean keep = session.process(in, out);
            open &= keep;
            out.flush();
            byte[] reply = out.readBinary(out.len());
            out.release();
            in.release();
            return new String(reply, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one command as a multibulk request and returns its reply. */
    String cmd(String... args) {
        return send(encode(args));
    }

    static byte[] encode(String... args) {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            b[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return encode(b);
    }

    static byte[] encode(byte[]... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            o.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            o.writeBytes(a);
            o.writeBytes(new byte[] {'\r', '\n'});
        }
        return o.toByteArray();
    }

    static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    void advance(long millis) {
        clock.addAndGet(millis);
    }

    @Override
    public void close() {
        in.close();
        out.close();
    }
}
