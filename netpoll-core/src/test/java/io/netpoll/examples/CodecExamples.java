package io.netpoll.examples;

import io.netpoll.Connection;
import io.netpoll.OnPrepare;
import io.netpoll.OnRequest;
import io.netpoll.buffer.LinkBuffer;
import io.netpoll.codec.LengthFieldFrameDecoder;
import io.netpoll.codec.LineFrameDecoder;
import io.netpoll.mux.ShardQueue;

import java.io.IOException;
import java.nio.ByteBuffer;

/** The guide's framing and concurrent-writer snippets, run by {@code CodecExamplesTest}. */
public final class CodecExamples {
    private CodecExamples() {}

    /** An inline line server: upper-cases each line, never blocks the poller. */
    public static OnPrepare lineDecoderPerConnection() {
        // [guide:line-server-prepare]
        OnPrepare prepare = connection -> {
            LineFrameDecoder lines = new LineFrameDecoder(8 * 1024); // one per connection: it may hold a partial line
            connection.addCloseCallback(c -> lines.close());
            return lines; // the handler's context
        };
        // [/guide:line-server-prepare]
        return prepare;
    }

    public static OnRequest lineServer() {
        // [guide:line-server]
        OnRequest handler = (ctx, connection) -> {
            LineFrameDecoder lines = (LineFrameDecoder) ctx;
            ByteBuffer line;
            while ((line = lines.tryNextFrame(connection.reader())) != null) { // null: wait for more
                for (int i = line.position(); i < line.limit(); i++) {
                    connection.writer().writeByte((byte) Character.toUpperCase(line.get(i)));
                }
                connection.writer().writeByte((byte) '\n');
            }
            connection.writer().flush(); // a too-long line threw TooLongFrameException: connection closed
        };
        // [/guide:line-server]
        return handler;
    }

    /** A blocking client read of one length-prefixed frame; the slice is the caller's. */
    public static LinkBuffer readLengthPrefixed(Connection conn) throws IOException {
        // [guide:length-field]
        // 4-byte big-endian length of the body, stripped; at most 1 MiB per frame
        LengthFieldFrameDecoder frames = new LengthFieldFrameDecoder(1 << 20, 0, 4, 0, 4);
        LinkBuffer frame = frames.nextFrameSlice(conn.reader()); // waits; zero-copy, yours to release
        // [/guide:length-field]
        return frame;
    }

    /** Many threads, one connection. */
    public static void sendFromManyThreads(ShardQueue queue, String message) throws IOException {
        // [guide:shard-queue]
        // ShardQueue queue = new ShardQueue(connection); // once per connection, shared by the threads
        LinkBuffer m = new LinkBuffer(); // filled by this thread alone, no lock
        m.writeString(message);
        queue.add(m); // queued; the CAS winner sends all in one write
        // [/guide:shard-queue]
    }
}
