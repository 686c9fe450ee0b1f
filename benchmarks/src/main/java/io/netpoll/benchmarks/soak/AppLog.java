package io.netpoll.benchmarks.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the application's log after the soak: how many buffer leak reports it holds (the first
 * line of every {@code io.netpoll.buffer.LeakReport}, logged by {@code io.netpoll.buffer.leak})
 * and how many lines were logged at ERROR.
 *
 * @param leakReports lines with {@value #LEAK_MARK}
 * @param errorLines  lines with {@value #ERROR_MARK} (Spring Boot's console pattern)
 * @param firstLeaks  the first few leak report lines, for the summary
 */
record AppLog(long leakReports, long errorLines, List<String> firstLeaks) {

    /** The start of {@code LeakReport.toString()}. */
    static final String LEAK_MARK = "LEAK: a ";

    static final String ERROR_MARK = " ERROR ";

    static AppLog read(Path file) throws IOException {
        long leaks = 0;
        long errors = 0;
        List<String> first = new ArrayList<>();
        // The log is the application's; decode leniently so one odd byte cannot hide the count.
        CharsetDecoder lenient = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), lenient))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.contains(LEAK_MARK)) {
                    leaks++;
                    if (first.size() < 3) {
                        first.add(line.strip());
                    }
                }
                if (line.contains(ERROR_MARK)) {
                    errors++;
                }
            }
        }
        return new AppLog(leaks, errors, List.copyOf(first));
    }
}
