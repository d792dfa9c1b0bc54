package dev.twinstream.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.Journal;
import dev.twinstream.core.NotDurableException;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.testkit.InMemorySink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A disk journal on a real, small file system that fills up: a 16 MiB tmpfs mounted for this test
 * (root on Linux only; elsewhere the test is skipped, saying why) and unmounted afterwards. Through
 * the public API: a tracker with one {@link InMemorySink} that is down fills the file system, the
 * overflow policy applies, the sink comes back, the journal deletes what it delivered and writes
 * again by itself; then the file system is filled again, the tracker closed, and a second tracker
 * opens on the full file system, delivers the backlog and heals the same way.
 *
 * <p>Why 1 MiB segments on a 16 MiB file system: space comes back a whole segment at a time, once
 * the sinks passed it, and the segment being written is never deleted. A segment close to the size
 * of the file system could alone keep it full, so segments must stay well below it (the journal's
 * own rule, at most {@code maxBytes / 4}, does not help here: {@code maxBytes} is the default
 * 64 MiB, above what the file system holds, so that the file system fills first).
 */
class FullDiskOnTmpfsTest {
    private static final String SIZE = "16m";
    private static final long FS_BYTES = 16L << 20;
    private static final long SEGMENT = 1L << 20;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Path mountPoint;
    private static boolean mounted;

    /** About 2 KiB once encoded: some 8,000 fill the file system. */
    record Blob(int seq, String padding) {}

    private static final EventType<Blob> BLOB = EventType.builder(Blob.class, "blob").build();
    private static final String PADDING = "x".repeat(2000);

    @BeforeAll
    static void mountTmpfs() throws Exception {
        String os = System.getProperty("os.name", "");
        Assumptions.assumeTrue(os.toLowerCase(Locale.ROOT).contains("linux"),
                "not run: mounting a tmpfs needs Linux, this is " + os);
        Assumptions.assumeTrue(isRoot(), "not run: mounting a tmpfs needs root, this runs as "
                + System.getProperty("user.name"));
        mountPoint = Files.createTempDirectory("twinstream-full-tmpfs");
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + SIZE, "twinstream-test", mountPoint.toString())
                .redirectErrorStream(true).start();
        String output = read(p.getInputStream());
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        mounted = done && p.exitValue() == 0;
        if (!mounted) {
            p.destroyForcibly();
            Files.deleteIfExists(mountPoint);
        }
        Assumptions.assumeTrue(mounted, () -> "not run: mount -t tmpfs -o size=" + SIZE + " failed ("
                + (done ? "exit " + p.exitValue() : "timed out") + "): " + output.trim());
    }

    @AfterAll
    static void unmount() throws Exception {
        if (!mounted) {
            return;
        }
        int rc = run("umount", mountPoint.toString());
        if (rc != 0) {
            run("umount", "-l", mountPoint.toString()); // something still holds it: detach it anyway
        }
        mounted = false;
        Files.deleteIfExists(mountPoint);
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Paths.get("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = read(p.getInputStream());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        if (p.exitValue() != 0) {
            System.err.println(String.join(" ", command) + " failed: " + output);
        }
        return p.exitValue();
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static EventTracker tracker(Path dir, InMemorySink sink, OverflowPolicy overflow) {
        return EventTracker.builder()
                .register(BLOB)
                .sink("s", sink)
                .retry(RetryPolicy.defaults().maxDelay(Duration.ofMillis(100)))
                .journal(Journal.disk(dir).segmentBytes(SEGMENT).memoryBytes(1L << 20).overflow(overflow)
                        .durableTimeout(Duration.ofSeconds(5)))
                .closeTimeout(Duration.ofSeconds(1))
                .build();
    }

    private static long usedBytes() throws IOException {
        FileStore fs = Files.getFileStore(mountPoint);
        return fs.getTotalSpace() - fs.getUsableSpace();
    }

    private static long filesBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static long writeFailedDrops(EventTracker tracker) {
        return tracker.metrics().sink("s").droppedByReason().getOrDefault(DropReason.JOURNAL_WRITE_FAILED, 0L);
    }

    /** Tracks until the journal reports it could not write (drops for JOURNAL_WRITE_FAILED rise); the count tracked. */
    private static int fillUntilWriteFails(EventTracker tracker, int firstSeq) {
        long dropsBefore = writeFailedDrops(tracker);
        int n = 0;
        while (writeFailedDrops(tracker) == dropsBefore) {
            assertThat(n).as("the file system should have filled: %s", tracker.metrics()).isLessThan(100_000);
            for (int i = 0; i < 50; i++) {
                tracker.track(new Blob(firstSeq + n++, PADDING));
            }
        }
        return n;
    }

    /** Bounded polling: waits for async work (the dispatcher, the journal writer) without sleeping for a guessed time. */
    private static void awaitUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, WAIT).isLessThan(deadline);
            Thread.yield();
        }
    }

    private static void awaitNothingPending(EventTracker tracker) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!tracker.flush(Duration.ofSeconds(5)) || pending(tracker) != 0) {
            assertThat(System.nanoTime()).as("nothing pending within %s: %s", WAIT, tracker.metrics()).isLessThan(deadline);
        }
    }

    private static long pending(EventTracker tracker) {
        return tracker.metrics().sink("s").pendingRecords();
    }

    /** The first trackDurable once the writer healed (it may still be finishing its cycle); then every one succeeds. */
    private static void trackDurableSucceedsAgain(EventTracker tracker, int firstSeq) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                tracker.trackDurable(new Blob(firstSeq, PADDING));
                break;
            } catch (NotDurableException e) {
                assertThat(System.nanoTime()).as("trackDurable succeeds again: %s", e.getMessage()).isLessThan(deadline);
            }
        }
        for (int i = 1; i <= 100; i++) {
            tracker.trackDurable(new Blob(firstSeq + i, PADDING));
        }
    }

    private static boolean usedBelow(long bytes) {
        try {
            return usedBytes() < bytes;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aTrackerFillsTheFileSystemKeepsWorkingHealsAndASecondTrackerOpensOnItFull() throws Exception {
        Path dir = mountPoint.resolve("journal");
        InMemorySink sink = InMemorySink.builder().build().downFor(Duration.ofDays(1));
        int seq = 0;
        try (EventTracker tracker = tracker(dir, sink, OverflowPolicy.dropNewest())) {
            // 1. The sink is down: the journal fills the file system, then DROP_NEWEST drops.
            seq += fillUntilWriteFails(tracker, seq);
            TrackerMetrics full = tracker.metrics();
            assertThat(full.journalWriteFailures()).as("reported in the metrics").isPositive();
            assertThat(usedBytes()).as("the file system is full").isGreaterThan(FS_BYTES - 2 * SEGMENT);
            assertThat(filesBytes(dir)).isGreaterThan(FS_BYTES - 3 * SEGMENT);
            int dropped = seq;
            assertThatThrownBy(() -> tracker.trackDurable(new Blob(dropped, PADDING)))
                    .isInstanceOf(NotDurableException.class)
                    .satisfies(e -> assertThat(((NotDurableException) e).accepted()).as("dropped by the policy").isFalse());
            seq++;
            assertThat(tracker.metrics().isConserved()).isTrue();

            // 2. The sink comes back: everything accepted is delivered, the delivered segments are
            // deleted, and the journal writes again without anyone doing anything.
            sink.up();
            awaitNothingPending(tracker);
            awaitUntil("segments deleted", () -> usedBelow(3 * SEGMENT));
            // The writer may still be writing what it framed while the disk was full; then it seals that
            // segment and the next checkpoint releases it: at most the segment it writes and the next stay.
            awaitUntil("the journal back to at most two segments: " + tracker.metrics(),
                    () -> tracker.metrics().journalBytes() < 2 * SEGMENT + (1 << 16));
            trackDurableSucceedsAgain(tracker, seq);
            seq += 101;
            awaitNothingPending(tracker);
            SinkMetrics s = tracker.metrics().sink("s");
            assertThat(s.delivered()).isEqualTo(sink.receivedCount()).isEqualTo(s.accepted() - s.dropped());
            assertThat(sink.receivedEventIds()).doesNotHaveDuplicates();
            assertThat(tracker.metrics().isConserved()).isTrue();

            // 3. Down again, full again, and closed while full (what could not be written is lost with it).
            sink.downFor(Duration.ofDays(1));
            seq += fillUntilWriteFails(tracker, seq);
            assertThat(usedBytes()).isGreaterThan(FS_BYTES - 2 * SEGMENT);
        }
        assertThat(usedBytes()).as("still full after close").isGreaterThan(FS_BYTES - 2 * SEGMENT);

        // 4. A second tracker opens on the full file system, BLOCK this time.
        InMemorySink second = InMemorySink.builder().build().downFor(Duration.ofDays(1));
        try (EventTracker tracker = tracker(dir, second, OverflowPolicy.block(Duration.ofMillis(200)))) {
            long recovered = tracker.metrics().journalRecovery().recordsReplayed();
            assertThat(recovered).as("the backlog of the full journal").isGreaterThan(1000);
            assertThat(tracker.metrics().journalRecovery().hasDamage()).isFalse();
            // New events: accepted until the writer finds no space, then BLOCK times out naming the cause.
            BufferFullException refused = null;
            for (int i = 0; i < 10_000 && refused == null; i++) {
                try {
                    tracker.track(new Blob(seq++, PADDING));
                } catch (BufferFullException e) {
                    refused = e;
                }
            }
            assertThat(refused).as("BLOCK refuses while the file system is full").isNotNull();
            assertThat(refused).hasMessageContaining("No space left on device");
            assertThat(tracker.metrics().journalWriteFailures()).isPositive();

            second.up();
            awaitNothingPending(tracker);
            awaitUntil("segments deleted", () -> usedBelow(3 * SEGMENT));
            trackDurableSucceedsAgain(tracker, seq);
            seq += 101;
            tracker.track(new Blob(seq++, PADDING));
            awaitNothingPending(tracker);
            SinkMetrics s = tracker.metrics().sink("s");
            assertThat(second.receivedCount()).as("the backlog and the new events")
                    .isEqualTo(s.delivered()).isEqualTo(s.accepted()).isGreaterThan(recovered);
            assertThat(second.receivedEventIds()).doesNotHaveDuplicates();
            assertThat(tracker.metrics().isConserved()).isTrue();
        }
        List<String> left;
        try (Stream<Path> files = Files.list(dir)) {
            left = files.map(f -> f.getFileName().toString()).sorted(Comparator.naturalOrder()).toList();
        }
        assertThat(left).filteredOn(n -> n.startsWith("segment-")).hasSizeLessThanOrEqualTo(2);
    }
}
