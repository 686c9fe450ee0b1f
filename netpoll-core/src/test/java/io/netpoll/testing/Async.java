package io.netpoll.testing;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a blocking test step on a thread of its own. (The common pool may have a single thread
 * on a small machine, so two blocking steps on it would wait for each other.) Shared with the
 * Spring modules' tests through netpoll-core's test-jar.
 */
public final class Async {

    private Async() {}

    public static <T> CompletableFuture<T> async(Callable<T> step) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(
                () -> {
                    try {
                        result.complete(step.call());
                    } catch (Throwable ex) {
                        result.completeExceptionally(ex);
                    }
                },
                "test-step");
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    public static CompletableFuture<Void> async(Runnable step) {
        return async(() -> {
            step.run();
            return null;
        });
    }
}
