package dev.twinstream.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long outage on a small heap, in child JVMs ({@link SmallHeapOutageChild}): memory must not
 * depend on the backlog. Before journal v2, a 256 MiB heap ran out of memory at 408,053 events and
 * the restart's {@code build()} threw {@code OutOfMemoryError} as well.
 *
 * <ol>
 *   <li>{@code -Xmx96m}: 4,000,000 events (over 1 GiB of payloads) with the only sink down, then the
 *       sink up: every event delivered exactly once, live heap ≤ window + 32 MiB throughout.
 *   <li>{@code -Xmx96m}: the same backlog again, left pending at close.
 *   <li>{@code -Xmx64m}: the journal reopened and drained, exactly once, within the same bound.
 * </ol>
 */
class SmallHeapOutageTest {
    private static final int EVENTS = 4_000_000;

    @TempDir
    Path dir;

    @Test
    void aGibibyteBacklogNeitherExhaustsA96MiBHeapNorKeepsA64MiBHeapFromRestarting() throws Exception {
        Map<String, String> outage = run("96m", dir.resolve("outage"), "outage");
        assertThat(Long.parseLong(outage.get("backlogPayloadBytes"))).as("backlog of payloads").isGreaterThan(1L << 30);
        assertThat(Long.parseLong(outage.get("journalBytes"))).as("backlog on disk").isGreaterThan(1L << 30);

        run("96m", dir.resolve("restart"), "fill");
        Map<String, String> drain = run("64m", dir.resolve("restart"), "drain");
        assertThat(Long.parseLong(drain.get("buildMillis"))).as("build() on the backlog").isLessThan(10_000);
    }

    /**
     * A memory journal of many tiny events on a 64 MiB heap: its capacity counts each event's record
     * as well as its payload, so it holds the heap it is given. Counting payloads alone, 24 MiB of
     * ~110-byte events was ~230,000 records, ~80 MB of heap: an OutOfMemoryError.
     */
    @Test
    void aMemoryJournalOfTinyEventsStaysWithinItsCapacityOnA64MiBHeap() throws Exception {
        Map<String, String> tiny = run("64m", dir.resolve("unused"), "tiny", 1_000_000,
                SmallHeapOutageChild.TINY_JOURNAL_BYTES + SmallHeapOutageChild.SLACK_BYTES);
        assertThat(Long.parseLong(tiny.get("meanPayloadBytes"))).as("payload smaller than the record around it")
                .isLessThan(256);
        assertThat(Long.parseLong(tiny.get("dropped"))).isPositive();
    }

    private static Map<String, String> run(String heap, Path journal, String mode) throws IOException, InterruptedException {
        return run(heap, journal, mode, EVENTS, SmallHeapOutageChild.WINDOW_BYTES + SmallHeapOutageChild.SLACK_BYTES);
    }

    private static Map<String, String> run(String heap, Path journal, String mode, int events, long heapBound)
            throws IOException, InterruptedException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                SmallHeapOutageChild.class.getName(), journal.toString(), mode, Integer.toString(events));
        pb.redirectErrorStream(true);
        long t0 = System.nanoTime();
        Process child = pb.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("child finished").isTrue();
        System.out.printf("SmallHeapOutageTest %s -Xmx%s, %d s:%n%s", mode, heap,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), output);
        assertThat(child.exitValue()).as("%s -Xmx%s exit code; output:%n%s", mode, heap, output).isZero();
        Map<String, String> values = new HashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.contains(" ")) {
                values.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        assertThat(Long.parseLong(values.get("maxLiveHeapBytes"))).as("live heap, %s -Xmx%s", mode, heap)
                .isGreaterThan(1L << 20) // the sampler measured something
                .isLessThanOrEqualTo(heapBound);
        return values;
    }
}
