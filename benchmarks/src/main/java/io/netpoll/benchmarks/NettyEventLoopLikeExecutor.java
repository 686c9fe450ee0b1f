package io.netpoll.benchmarks;

import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JMH worker threads that are Netty {@link FastThreadLocalThread}s, as Netty's event-loop threads
 * are. Selected with {@code -Djmh.executor=CUSTOM -Djmh.executor.class=<this class>} (JMH 1.37's
 * custom executor hook; the constructor signature is JMH's contract), which every benchmark of
 * this module sets in its {@code @Fork}.
 *
 * <p>Why: since Netty 4.2 the {@code Recycler} only pools objects (the {@code PooledByteBuf}
 * instances, retained slices) on threads whose fast thread-locals are cleaned up; on a plain JMH
 * thread every {@code directBuffer()} allocates a new wrapper object. Netty in a real server
 * allocates its buffers on event-loop threads, so this is the fair baseline. netpoll does not
 * care what kind of thread it runs on; both sides run on these threads.
 */
public final class NettyEventLoopLikeExecutor extends ThreadPoolExecutor {

    public NettyEventLoopLikeExecutor(int maxThreads, String prefix) {
        super(
                maxThreads,
                maxThreads,
                0L,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                new ThreadFactoryImpl(prefix));
    }

    private static final class ThreadFactoryImpl implements java.util.concurrent.ThreadFactory {
        private final String prefix;
        private final AtomicInteger n = new AtomicInteger();

        ThreadFactoryImpl(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new FastThreadLocalThread(r, prefix + "-ftl-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
