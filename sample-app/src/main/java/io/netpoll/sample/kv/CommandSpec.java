package io.netpoll.sample.kv;

import java.io.IOException;
import java.util.List;

/**
 * A command: its name, Redis arity (positive: exactly that many arguments including the name;
 * negative: at least that many), the metadata {@code COMMAND} reports, and what it does.
 */
public record CommandSpec(
        String name,
        int arity,
        List<String> flags,
        int firstKey,
        int lastKey,
        int step,
        List<String> categories,
        Handler handler) {

    /** Executes a command whose arity has been checked, writing exactly one reply. */
    @FunctionalInterface
    public interface Handler {
        void execute(Request request) throws IOException;
    }

    boolean arityOk(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }
}
