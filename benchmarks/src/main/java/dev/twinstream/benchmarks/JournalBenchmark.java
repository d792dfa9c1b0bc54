package dev.twinstream.benchmarks;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;

/**
 * A harness (not JMH: it measures I/O, where JMH's forks and blackholes add nothing) for the disk
 * journal, all in one run on one disk:
 *
 * <ol>
 *   <li><b>raw</b>: append + {@code force} of fixed-size batches to one file with a plain
 *       {@link FileChannel}, at several batch sizes: the ceiling for any durable log here;
 *   <li><b>durable</b>: producer threads call {@code track()} on a tracker with a disk journal
 *       under {@link FsyncPolicy#always()} and an instantly accepting sink; events/s and MB/s of
 *       events made durable, and the mean bytes per force (the group-commit batch size), then raw
 *       append + {@code force} at that batch size;
 *   <li><b>recovery</b>: a journal left full of undelivered events is reopened; MB/s of segment
 *       bytes scanned.
 * </ol>
 *
 * <p>Each durable run is followed by a raw run at the journal's mean bytes per force (from
 * {@link TrackerMetrics#journalForcedBytes()} / {@link TrackerMetrics#journalForces()}), so the two
 * are compared at the same batch size; the pair is repeated and the medians printed.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.twinstream.benchmarks.JournalBenchmark
 * [dir] [seconds] [threads] [repetitions]}.
 */
public final class JournalBenchmark {

    private JournalBenchmark() {}

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args.length > 0 ? args[0] : "target/journal-bench");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int repetitions = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        deleteTree(dir);
        Files.createDirectories(dir);

        System.out.println("== raw append+force, one file");
        for (int batch : new int[] {16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024}) {
            raw(dir.resolve("raw.bin"), batch, seconds / 2.0);
        }

        System.out.println("== durable track() through the disk journal (ALWAYS), " + threads
                + " threads, each run followed by raw append+force at the journal's mean bytes per force");
        Path journal = dir.resolve("journal");
        double[] eventsPerSecond = new double[repetitions];
        double[] ratios = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            deleteTree(journal);
            Durable d = durable(journal, seconds, threads);
            double rawMegabytesPerSecond = raw(dir.resolve("raw.bin"), (int) Math.round(d.bytesPerForce), seconds);
            eventsPerSecond[r] = d.eventsPerSecond;
            ratios[r] = d.forcedMegabytesPerSecond / rawMegabytesPerSecond;
            System.out.printf(Locale.ROOT, "run %d: journal/raw at %.0f B per force = %.0f %%%n", r + 1, d.bytesPerForce,
                    100 * ratios[r]);
        }
        System.out.printf(Locale.ROOT, "median of %d: %,.0f durable events/s, journal/raw = %.0f %%%n", repetitions,
                median(eventsPerSecond), 100 * median(ratios));

        System.out.println("== recovery");
        deleteTree(journal);
        recovery(journal, threads);
    }

    /** What one durable run measured. */
    private static final class Durable {
        double eventsPerSecond;
        double forcedMegabytesPerSecond;
        double bytesPerForce;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Appends and forces {@code batchBytes} at a time for {@code seconds}; returns MB/s. */
    private static double raw(Path file, int batchBytes, double seconds) throws IOException {
        Files.deleteIfExists(file);
        ByteBuffer buf = ByteBuffer.allocate(batchBytes);
        long forces = 0;
        long bytes = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            while (System.nanoTime() < end) {
                buf.clear();
                while (buf.hasRemaining()) {
                    ch.write(buf, bytes + buf.position());
                }
                ch.force(false);
                bytes += batchBytes;
                forces++;
            }
        }
        double s = (System.nanoTime() - start) / 1e9;
        double megabytesPerSecond = bytes / s / 1e6;
        System.out.printf(Locale.ROOT, "raw batch=%7d B: %8.1f MB/s, %7.0f forces/s%n", batchBytes, megabytesPerSecond,
                forces / s);
        Files.deleteIfExists(file);
        return megabytesPerSecond;
    }

    private static EventTracker tracker(Path journal, Sink sink) {
        return EventTracker.builder()
                .register(EventType.builder(DurableTrackRun.PageView.class, "page_view")
                        .partitionKey(DurableTrackRun.PageView::userId).build())
                .sink("s", sink)
                .journal(Journal.disk(journal).maxBytes(1L << 30).segmentBytes(64L * 1024 * 1024)
                        .memoryBytes(Long.getLong("window", Journal.DEFAULT_MEMORY_BYTES))
                        .overflow(OverflowPolicy.block(Duration.ofMinutes(1)))
                        .fsync(FsyncPolicy.always()))
                .closeTimeout(Duration.ofSeconds(30))
                .build();
    }

    private static Durable durable(Path journal, int seconds, int threads) throws Exception {
        try (EventTracker tracker = tracker(journal, DurableTrackRun.accepting())) {
            DurableTrackRun.track(tracker, Math.max(1, seconds / 3), threads); // warm-up
            TrackerMetrics before = tracker.metrics();
            long t0 = System.nanoTime();
            long tracked = DurableTrackRun.track(tracker, seconds, threads);
            DurableTrackRun.awaitDurable(tracker, before.durableRecords() + tracked);
            double s = (System.nanoTime() - t0) / 1e9;
            TrackerMetrics m = tracker.metrics();
            long durable = m.durableRecords() - before.durableRecords();
            long forces = m.journalForces() - before.journalForces();
            long forcedBytes = m.journalForcedBytes() - before.journalForcedBytes();
            double payloadBytesPerEvent = m.sink("s").meanBatchBytes() / Math.max(1, m.sink("s").meanBatchRecords());
            Durable d = new Durable();
            d.eventsPerSecond = durable / s;
            d.forcedMegabytesPerSecond = forcedBytes / s / 1e6;
            d.bytesPerForce = (double) forcedBytes / Math.max(1, forces);
            System.out.printf(Locale.ROOT,
                    "durable: %,.0f events/s, %.1f MB/s of payload (%.0f B/event), %.1f MB/s written and forced, "
                            + "%,.0f forces/s of %.0f B (%.0f events) each%n",
                    d.eventsPerSecond, durable * payloadBytesPerEvent / s / 1e6, payloadBytesPerEvent,
                    d.forcedMegabytesPerSecond, forces / s, d.bytesPerForce, (double) durable / Math.max(1, forces));
            return d;
        }
    }

    private static void recovery(Path journal, int threads) throws Exception {
        Sink down = new Sink() {
            @Override
            public SinkLimits limits() {
                return SinkLimits.of(500, 4L * 1024 * 1024, 1024 * 1024);
            }

            @Override
            public CompletionStage<BatchResult> send(SinkBatch batch) {
                return CompletableFuture.completedFuture(BatchResult.allFailed(batch.size(),
                        RecordResult.retryable("Down", "benchmark sink is down")));
            }
        };
        long tracked;
        try (EventTracker tracker = tracker(journal, down)) {
            tracked = DurableTrackRun.track(tracker, 3, threads);
            DurableTrackRun.awaitDurable(tracker, tracked);
        }
        long t0 = System.nanoTime();
        try (EventTracker tracker = tracker(journal, down)) {
            double s = (System.nanoTime() - t0) / 1e9;
            var r = tracker.metrics().journalRecovery();
            System.out.printf(Locale.ROOT, "recovery: %,d records, %.1f MB in %.2f s = %.1f MB/s (build() total)%n",
                    r.recordsReplayed(), r.bytesScanned() / 1e6, s, r.bytesScanned() / s / 1e6);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
