package io.netpoll.sample.kv;

import java.util.concurrent.atomic.AtomicLong;

/** What the server knows about one client connection (CLIENT ID/SETNAME/SETINFO, HELLO). */
public final class ClientState {

    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private String name;
    private String libName;
    private String libVersion;

    public long id() {
        return id;
    }

    public String name() {
        return name;
    }

    void name(String name) {
        this.name = name;
    }

    public String libName() {
        return libName;
    }

    void libName(String libName) {
        this.libName = libName;
    }

    public String libVersion() {
        return libVersion;
    }

    void libVersion(String libVersion) {
        this.libVersion = libVersion;
    }
}
