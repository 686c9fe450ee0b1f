package io.netpoll.sample.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Looks commands up by name, ASCII case-insensitively, straight from the argument bytes (an
 * open-addressing table: no String per lookup).
 */
public final class CommandTable {

    private final List<CommandSpec> commands = new ArrayList<>();
    private CommandSpec[] slots = new CommandSpec[64];
    private byte[][] names = new byte[64][];

    public void add(CommandSpec spec) {
        if (find(spec.name().getBytes(StandardCharsets.US_ASCII)) != null) {
            throw new IllegalArgumentException("duplicate command " + spec.name());
        }
        commands.add(spec);
        if (commands.size() * 2 > slots.length) {
            CommandSpec[] old = slots;
            slots = new CommandSpec[old.length * 2];
            names = new byte[old.length * 2][];
            for (CommandSpec s : old) {
                if (s != null) {
                    insert(s);
                }
            }
        }
        insert(spec);
    }

    /** The command named {@code name} (any case), or null. */
    public CommandSpec find(byte[] name) {
        int mask = slots.length - 1;
        for (int i = hash(name) & mask; slots[i] != null; i = (i + 1) & mask) {
            if (sameName(names[i], name)) {
                return slots[i];
            }
        }
        return null;
    }

    public List<CommandSpec> all() {
        return Collections.unmodifiableList(commands);
    }

    private void insert(CommandSpec spec) {
        byte[] lower = spec.name().getBytes(StandardCharsets.US_ASCII);
        int mask = slots.length - 1;
        int i = hash(lower) & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = spec;
        names[i] = lower;
    }

    private static int hash(byte[] name) {
        int h = 0;
        for (byte b : name) {
            h = 31 * h + (b | 0x20);
        }
        return h ^ (h >>> 16);
    }

    /** {@code lower} is lower case ASCII letters, digits and '-'. */
    private static boolean sameName(byte[] lower, byte[] name) {
        if (lower.length != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            int c = name[i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }
}
