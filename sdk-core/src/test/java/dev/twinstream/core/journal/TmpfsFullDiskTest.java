package dev.twinstream.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.DropReason;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.Journal;
import dev.twinstream.core.NotDurableException;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk journal on a real, full file system: a 16 MiB tmpfs mounted for the test (root on Linux
 * only; elsewhere the test is skipped and says why), unmounted afterwards. Segments are 1 MiB
 * because space comes back a segment at a time and the segment being written is never deleted: on
 * a volume this small, a 16 MiB default segment would be the whole disk.
 */
class TmpfsFullDiskTest {
    @TempDir
    Path dir;
    private Path mount;
    private boolean mounted;

    /** The event. */
    public static final class Note {
        private final int n;

        Note(int n) {
            this.n = n;
        }

        /** Serialized by Jackson. */
        public int getN() {
            return n;
        }

        /** Serialized by Jackson: pads the event to about 250 bytes. */
        public String getText() {
            return "a note of about two hundred bytes, long enough that a small disk fills in a few tens of thousands";
        }
    }

    @BeforeEach
    void mountTmpfs() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"),
                "needs Linux to mount a tmpfs; this is " + System.getProperty("os.name"));
        Process id = new ProcessBuilder("id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        Assumptions.assumeTrue(uid.equals("0"), "needs root to mount a tmpfs; running as uid " + uid);
        mount = Files.createDirectories(dir.resolve("tmpfs"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "mount -t tmpfs failed: " + out);
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            Process p = new ProcessBuilder("umount", mount.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("umount: %s", out).isTrue();
        }
    }

    /** Down until {@link #up}; then accepts. */
    private static final class SwitchSink implements Sink {
        volatile boolean up;

        @Override
        public SinkLimits limits() {
            return SinkLimits.of(500, 4L * 1024 * 1024, 1024 * 1024);
        }

        @Override
        public CompletionStage<BatchResult> send(SinkBatch batch) {
            return CompletableFuture.completedFuture(up ? BatchResult.allOk(batch.size())
                    : BatchResult.allFailed(batch.size(), RecordResult.retryable("Down", "the sink is down")));
        }
    }

    private EventTracker tracker(SwitchSink sink) {
        return EventTracker.builder()
                .register(EventType.builder(Note.class, "note").build())
                .sink("s", sink, SinkOptions.defaults().linger(Duration.ofMillis(5))
                        .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(50))))
                .journal(Journal.disk(mount.resolve("journal")).maxBytes(1L << 30).segmentBytes(1L << 20)
                        .memoryBytes(4L << 20).fsync(FsyncPolicy.always()).overflow(OverflowPolicy.dropNewest())
                        .durableTimeout(Duration.ofSeconds(5)))
                .closeTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Tracks until the journal reports a write failure and drops an event for it; returns what was tracked. */
    private static int fill(EventTracker tracker) {
        int n = 0;
        while (tracker.metrics().sink("s").droppedByReason().getOrDefault(DropReason.JOURNAL_WRITE_FAILED, 0L) == 0) {
            tracker.track(new Note(n++));
            assertThat(n).as("events before a 16 MiB disk is full").isLessThan(200_000);
        }
        return n;
    }

    @Test
    void aFullTmpfsAppliesThePolicyHealsWhenTheSinkDeliversAndATrackerStartsOnIt() throws IOException {
        SwitchSink sink = new SwitchSink();
        try (EventTracker tracker = tracker(sink)) {
            fill(tracker);
            assertThat(tracker.metrics().journalWriteFailures()).isPositive();
            assertThatThrownBy(() -> tracker.trackDurable(new Note(-1))).isInstanceOf(NotDurableException.class);
            long freeWhileFull = Files.getFileStore(mount).getUsableSpace();

            sink.up = true;
            assertThat(tracker.flush(Duration.ofSeconds(30))).as("everything accepted delivered").isTrue();
            assertThat(Files.getFileStore(mount).getUsableSpace()).as("segments deleted").isGreaterThan(freeWhileFull + (4 << 20));
            // The writer recovers by itself on its next retry (backoff at most 1 s): durable writes work again.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String id = null;
            while (id == null) {
                try {
                    id = tracker.trackDurable(new Note(-2));
                } catch (NotDurableException e) {
                    assertThat(System.nanoTime()).as("durable again within 10 s").isLessThan(deadline);
                }
            }
            assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
            assertConserved(tracker.metrics());
        }

        // Fill it again and leave the backlog: a tracker opened on the full disk starts and drains it.
        SwitchSink down = new SwitchSink();
        long pending;
        try (EventTracker tracker = tracker(down)) {
            fill(tracker);
            pending = tracker.metrics().sink("s").pendingRecords();
        }
        assertThat(pending).isPositive();
        SwitchSink up = new SwitchSink();
        up.up = true;
        try (EventTracker tracker = tracker(up)) {
            assertThat(tracker.flush(Duration.ofSeconds(30))).isTrue();
            SinkMetrics m = tracker.metrics().sink("s");
            assertThat(m.delivered()).as("the backlog written before the disk filled").isPositive().isLessThanOrEqualTo(pending);
            assertThat(m.pendingRecords()).isZero();
            assertConserved(tracker.metrics());
        }
    }

    private static void assertConserved(TrackerMetrics metrics) {
        SinkMetrics m = metrics.sink("s");
        assertThat(m.accepted()).as("%s", m).isEqualTo(m.delivered() + m.deadLettered() + m.dropped() + m.pendingRecords());
    }
}
