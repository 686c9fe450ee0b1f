package io.netpoll.spring.autoconfigure;

import io.netpoll.spring.server.NetpollStartupException;
import io.netpoll.spring.test.EchoHandler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link NetpollServerPlan}: no application context.
 */
class NetpollServerPlanTests {

    private final NetpollProperties properties = new NetpollProperties();

    private final List<String> warnings = new ArrayList<>();

    @Test
    void defaultServerWithoutHandlerIsNotDeclared() {
        assertThat(plan(List.of(), Set.of())).isEmpty();
    }

    @Test
    void eachServerWithAHandlerIsDeclaredDefaultFirst() {
        this.properties.getServers().put("admin", new NetpollProperties.Server());
        List<NetpollServerPlan.Entry> plan =
                plan(List.of(handler("adminHandler", "admin"), handler("echoHandler", "default")), Set.of());
        assertThat(plan)
                .containsExactly(
                        new NetpollServerPlan.Entry("default", "echoHandler"),
                        new NetpollServerPlan.Entry("admin", "adminHandler"));
        assertThat(plan).allMatch(NetpollServerPlan.Entry::ownEventLoop);
    }

    @Test
    void disabledServerIsNotDeclared() {
        NetpollProperties.Server admin = new NetpollProperties.Server();
        admin.setEnabled(false);
        this.properties.getServers().put("admin", admin);
        assertThat(plan(List.of(handler("adminHandler", "admin")), Set.of())).isEmpty();
    }

    @Test
    void applicationEventLoopWinsOverTheHandlerWithAWarning() {
        List<NetpollServerPlan.Entry> plan = plan(List.of(handler("echoHandler", "default")), Set.of("default"));
        assertThat(plan).containsExactly(new NetpollServerPlan.Entry("default", null));
        assertThat(plan.get(0).ownEventLoop()).isFalse();
        assertThat(this.warnings).singleElement().asString().contains("netpollEventLoop", "[echoHandler]");
    }

    @Test
    void twoHandlersForOneServerFail() {
        assertThatExceptionOfType(NetpollStartupException.class)
                .isThrownBy(() -> plan(List.of(handler("a", "default"), handler("b", "default")), Set.of()))
                .withMessageContaining("has 2 handlers: [a, b]");
    }

    @Test
    void handlerForAnUnknownServerFails() {
        assertThatExceptionOfType(NetpollStartupException.class)
                .isThrownBy(() -> plan(List.of(handler("a", "nope")), Set.of()))
                .withMessageContaining("no such server is configured (configured: [default])")
                .satisfies((ex) -> assertThat(ex.getAction()).contains("netpoll.servers.nope.port"));
    }

    @Test
    void namedServerWithoutHandlerFails() {
        this.properties.getServers().put("admin", new NetpollProperties.Server());
        assertThatExceptionOfType(NetpollStartupException.class)
                .isThrownBy(() -> plan(List.of(), Set.of()))
                .withMessageContaining("no @NetpollHandler bean serves it");
    }

    @Test
    void handlerThatIsNotAnOnRequestFails() {
        assertThatExceptionOfType(NetpollStartupException.class)
                .isThrownBy(() -> plan(List.of(new NetpollServerPlan.Handler("a", "default", String.class)), Set.of()))
                .withMessageContaining("does not implement io.netpoll.OnRequest");
    }

    private List<NetpollServerPlan.Entry> plan(List<NetpollServerPlan.Handler> handlers, Set<String> eventLoops) {
        Map<String, NetpollProperties.Server> servers = this.properties.serversByName();
        return NetpollServerPlan.plan(servers, handlers, eventLoops::contains, this.warnings);
    }

    private static NetpollServerPlan.Handler handler(String beanName, String server) {
        return new NetpollServerPlan.Handler(beanName, server, EchoHandler.class);
    }
}
