package io.netpoll.sample.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The store under concurrency: read-modify-write commands are atomic per key. */
class KeyValueStoreTests {

    private static ByteKey key(String s) {
        return ByteKey.of(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void concurrentIncrementsAndAppendsLoseNothing() throws Exception {
        AtomicLong clock = new AtomicLong(1000);
        KeyValueStore store = new KeyValueStore(clock::get, 1 << 20);
        store.set(key("ttl"), "0".getBytes(), KeyValueStore.Condition.ALWAYS, 1_000_000, false);
        int threads = 8;
        int perThread = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    store.incrementBy(key("n"), 1);
                    store.incrementBy(key("ttl"), 2);
                    store.append(key("s"), new byte[] {'x'});
                    store.set(
                            key("nx" + (i % 100)),
                            new byte[] {1},
                            KeyValueStore.Condition.IF_ABSENT,
                            Entry.NO_EXPIRY,
                            false);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(new String(store.get(key("n")))).isEqualTo(Long.toString((long) threads * perThread));
        assertThat(new String(store.get(key("ttl")))).isEqualTo(Long.toString(2L * threads * perThread));
        assertThat(store.pttl(key("ttl"))).isEqualTo(1_000_000 - 1000);
        assertThat(store.get(key("s"))).hasSize(threads * perThread);
        assertThat(store.size()).isEqualTo(3 + 100);
        assertThat(store.expiringKeys()).isEqualTo(1);
    }

    @Test
    void replacedExpiriesDoNotAccumulate() {
        AtomicLong clock = new AtomicLong(1000);
        KeyValueStore store = new KeyValueStore(clock::get, 1 << 20);
        for (int i = 0; i < 10_000; i++) {
            store.set(key("k"), new byte[] {1}, KeyValueStore.Condition.ALWAYS, 1_000_000 + i, false);
            store.expire(key("k"), 2_000_000 + i, 0);
        }
        assertThat(store.expiringKeys()).isEqualTo(1);
        store.set(key("k"), new byte[] {2});
        assertThat(store.expiringKeys()).isZero();
    }
}
