package io.netpoll.sample.kv;

import java.util.List;

/** Shorthand for building {@link CommandSpec}s. */
final class Specs {

    private Specs() {}

    /** {@code flags} and {@code categories} are space-separated words. */
    static CommandSpec spec(
            String name,
            int arity,
            String flags,
            int firstKey,
            int lastKey,
            int step,
            String categories,
            CommandSpec.Handler handler) {
        return new CommandSpec(name, arity, words(flags), firstKey, lastKey, step, words(categories), handler);
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : List.of(s.trim().split(" +"));
    }
}
