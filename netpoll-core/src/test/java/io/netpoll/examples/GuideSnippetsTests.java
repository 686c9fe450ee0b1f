package io.netpoll.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/guide.md's code blocks must be the tagged regions of the (compiled, tested) examples. */
class GuideSnippetsTests {
    private static final Path EXAMPLES = Path.of("src/test/java/io/netpoll/examples");
    private static final Path GUIDE = Path.of("../docs/guide.md");

    @Test
    void everyGuideSnippetIsTheTaggedRegionOfAnExample() throws IOException {
        Map<String, String> regions = new HashMap<>();
        Pattern region = Pattern.compile(
                "(?m)^([ \\t]*)// \\[guide:([\\w-]+)]\\n(.*?)^[ \\t]*// \\[/guide:\\2]", Pattern.DOTALL);
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path p : files.toList()) {
                Matcher m = region.matcher(Files.readString(p));
                while (m.find()) {
                    String indent = m.group(1);
                    StringBuilder sb = new StringBuilder();
                    for (String line : m.group(3).stripTrailing().split("\n", -1)) {
                        sb.append(line.startsWith(indent) ? line.substring(indent.length()) : line.strip())
                                .append('\n');
                    }
                    regions.put(m.group(2), sb.toString().stripTrailing());
                }
            }
        }
        String guide = Files.readString(GUIDE);
        Matcher m = Pattern.compile("<!-- snippet: ([\\w-]+) -->\\n```java\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(guide);
        int found = 0;
        while (m.find()) {
            found++;
            assertThat(regions).as("example region for snippet " + m.group(1)).containsKey(m.group(1));
            assertThat(m.group(2).stripTrailing()).as("snippet " + m.group(1)).isEqualTo(regions.get(m.group(1)));
        }
        assertThat(found).isEqualTo(regions.size());
    }
}
