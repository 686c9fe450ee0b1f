package io.netpoll.internal;

import java.util.Arrays;

/**
 * A copy-on-write set of a few elements whose readers iterate the array itself: the monitor
 * looks at every poller, role thread and worker once per tick, and a
 * {@code CopyOnWriteArrayList}'s iterator would allocate on every look. Changes (a thread
 * starting or exiting) copy the array under this object's monitor; {@link #array()} is a
 * consistent snapshot, read with one volatile load. Thread-safe.
 */
final class CowArray<T> {
    private static final Object[] EMPTY = new Object[0];

    private volatile Object[] elements = EMPTY;

    synchronized void add(T t) {
        Object[] a = elements;
        Object[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = t;
        elements = b;
    }

    /** Removes one occurrence of {@code t}; false if absent. */
    synchronized boolean remove(T t) {
        Object[] a = elements;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == t) {
                Object[] b = new Object[a.length - 1];
                System.arraycopy(a, 0, b, 0, i);
                System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                elements = b;
                return true;
            }
        }
        return false;
    }

    int size() {
        return elements.length;
    }

    /** The elements now (do not modify): iterate it without allocating. */
    Object[] array() {
        return elements;
    }
}
