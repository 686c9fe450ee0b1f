package io.netpoll;

import org.junit.jupiter.api.Test;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * netpoll-core's module descriptor exports only the API, needs nothing at run time, and the
 * module resolves and runs in a layer of its own (the tests themselves run on the class path).
 */
class ModuleDescriptorTests {

    private static Path classes() throws URISyntaxException {
        return Path.of(Netpoll.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    }

    @Test
    void exportsOnlyTheApiAndRequiresJSpecifyAtCompileTimeOnly() throws Exception {
        ModuleDescriptor d =
                ModuleFinder.of(classes()).find("io.netpoll.core").orElseThrow().descriptor();
        assertThat(d.exports()).allMatch(e -> !e.isQualified());
        assertThat(d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(
                        "io.netpoll",
                        "io.netpoll.buffer",
                        "io.netpoll.codec",
                        "io.netpoll.mux",
                        "io.netpoll.pool",
                        "io.netpoll.tls");
        assertThat(d.packages())
                .contains("io.netpoll.internal", "io.netpoll.buffer.internal", "io.netpoll.internal.tls");
        assertThat(d.opens()).isEmpty();
        assertThat(d.requires())
                .extracting(ModuleDescriptor.Requires::name)
                .containsExactlyInAnyOrder("java.base", "org.jspecify");
        assertThat(d.requires())
                .filteredOn(r -> r.name().equals("org.jspecify"))
                .singleElement()
                .satisfies(r -> assertThat(r.modifiers())
                        .containsExactlyInAnyOrder(
                                ModuleDescriptor.Requires.Modifier.STATIC,
                                ModuleDescriptor.Requires.Modifier.TRANSITIVE));
    }

    @Test
    void resolvesWithoutJSpecifyAndHidesTheInternals() throws Exception {
        Configuration cf = ModuleLayer.boot()
                .configuration()
                .resolve(ModuleFinder.of(classes()), ModuleFinder.of(), Set.of("io.netpoll.core"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module core = layer.findModule("io.netpoll.core").orElseThrow();
        assertThat(core.isExported("io.netpoll")).isTrue();
        assertThat(core.isExported("io.netpoll.buffer")).isTrue();
        assertThat(core.isExported("io.netpoll.internal")).isFalse();
        assertThat(core.isExported("io.netpoll.buffer.internal")).isFalse();

        // The module works on its own: a buffer round trip through the exported API, and the
        // connection class, whose initialiser reaches LinkBuffer's transport methods.
        ClassLoader loader = layer.findLoader("io.netpoll.core");
        Class<?> linkBuffer = Class.forName("io.netpoll.buffer.LinkBuffer", true, loader);
        assertThat(linkBuffer.getModule()).isSameAs(core);
        Object buffer = linkBuffer.getConstructor().newInstance();
        linkBuffer.getMethod("writeString", String.class).invoke(buffer, "module");
        linkBuffer.getMethod("flush").invoke(buffer);
        assertThat(linkBuffer.getMethod("readString", int.class).invoke(buffer, 6))
                .isEqualTo("module");
        linkBuffer.getMethod("close").invoke(buffer);
        Class<?> connection = Class.forName("io.netpoll.internal.NioConnection", true, loader);
        assertThat(connection.getModule()).isSameAs(core);
        assertThat(List.of(linkBuffer.getMethods()))
                .extracting(java.lang.reflect.Method::getName)
                .as("transport-only methods are not public API")
                .doesNotContain("fillFrom", "drainTo");
    }
}
