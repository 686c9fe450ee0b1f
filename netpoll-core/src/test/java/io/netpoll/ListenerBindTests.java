package io.netpoll;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Listeners with a backlog and SO_RCVBUF of their own ({@link Listener#bind}, {@link Netpoll#createListener(String, String, int, int)}). */
class ListenerBindTests {

    @Test
    void bindsWithABacklogAndAReceiveBufferSetBeforeBinding() throws Exception {
        try (Listener l = Listener.bind("tcp4", new InetSocketAddress("127.0.0.1", 0), 16, 64 * 1024)) {
            assertThat(l.port()).isPositive();
            assertThat(l.network()).isEqualTo("tcp4");
            // Linux doubles the value it is given (bookkeeping overhead); any OS keeps at least it
            // unless capped below by net.core.rmem_max (212992 by default).
            assertThat(l.channel().getOption(StandardSocketOptions.SO_RCVBUF)).isGreaterThanOrEqualTo(64 * 1024);
            assertThat(l.channel().getOption(StandardSocketOptions.SO_REUSEADDR))
                    .isTrue();
        }
        try (Listener l = Netpoll.createListener("tcp", "127.0.0.1:0", 0, 0)) {
            assertThat(l.port()).isPositive();
        }
    }

    @Test
    void bindsAUnixSocketAndDeletesItsFileOnClose(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.sock");
        Listener l = Listener.bind("unix", UnixDomainSocketAddress.of(file), 8, 0);
        assertThat(Files.exists(file)).isTrue();
        l.close();
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void rejectsBadArgumentsWithClearMessages() throws Exception {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        assertThatThrownBy(() -> Listener.bind("tcp", any, -1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backlog must not be negative: -1");
        assertThatThrownBy(() -> Listener.bind("tcp", any, 0, -2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("receiveBufferSize must not be negative: -2");
        assertThatThrownBy(() -> Listener.bind("unix", any, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a UnixDomainSocketAddress");
        assertThatThrownBy(() -> Listener.bind("tcp", UnixDomainSocketAddress.of("x.sock"), 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs an InetSocketAddress");
        assertThatThrownBy(() -> Listener.bind("udp", any, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Netpoll.createListener("tcp", "127.0.0.1:0", -5, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backlog must not be negative: -5");
    }

    @Test
    void anAddressInUseIsABindException() throws Exception {
        try (Listener taken = Listener.bind("tcp4", new InetSocketAddress("127.0.0.1", 0), 0, 0)) {
            assertThatThrownBy(() -> Listener.bind("tcp4", new InetSocketAddress("127.0.0.1", taken.port()), 0, 0))
                    .isInstanceOf(BindException.class);
        }
    }
}
