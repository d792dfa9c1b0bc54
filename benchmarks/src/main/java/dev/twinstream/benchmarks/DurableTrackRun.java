package dev.twinstream.benchmarks;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * One run of {@link JournalBenchmark}'s durable step alone — producer threads calling
 * {@code track()} into a disk journal under {@link FsyncPolicy#always()} with an instantly
 * accepting sink — using only public API that every disk journal so far has had, so the same source
 * compiles against an older build and runs alternately with the current one (an A/B on one disk
 * whose fsync latency drifts from run to run; docs/BENCHMARKS.md has the commands).
 *
 * <p>Usage: {@code DurableTrackRun dir seconds threads}; prints durable events/s, forces/s and
 * events per force after a 2 s warm-up.
 */
public final class DurableTrackRun {

    /** ~250 bytes once enveloped: the event the journal benchmarks track. */
    public record PageView(String userId, String sessionId, String page, String referrer, long durationMillis,
                           int scrollDepthPercent) {}

    private DurableTrackRun() {}

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        int seconds = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(PageView.class, "page_view").partitionKey(PageView::userId).build())
                .sink("s", accepting())
                .journal(Journal.disk(dir).maxBytes(1L << 30).segmentBytes(64L * 1024 * 1024)
                        .overflow(OverflowPolicy.block(Duration.ofMinutes(1))).fsync(FsyncPolicy.always()))
                .closeTimeout(Duration.ofSeconds(30))
                .build()) {
            track(tracker, 2, threads); // warm-up
            TrackerMetrics before = tracker.metrics();
            long t0 = System.nanoTime();
            long tracked = track(tracker, seconds, threads);
            awaitDurable(tracker, before.durableRecords() + tracked);
            double s = (System.nanoTime() - t0) / 1e9;
            TrackerMetrics m = tracker.metrics();
            long durable = m.durableRecords() - before.durableRecords();
            long forces = m.journalForces() - before.journalForces();
            System.out.printf(Locale.ROOT, "%,.0f durable events/s, %,.0f forces/s, %.0f events per force%n",
                    durable / s, forces / s, (double) durable / Math.max(1, forces));
        }
    }

    /** {@return a sink that accepts every batch at once: the journal is all that is measured} */
    static Sink accepting() {
        return new Sink() {
            @Override
            public SinkLimits limits() {
                return SinkLimits.of(500, 4L * 1024 * 1024, 1024 * 1024);
            }

            @Override
            public CompletionStage<BatchResult> send(SinkBatch batch) {
                return CompletableFuture.completedFuture(BatchResult.allOk(batch.size()));
            }
        };
    }

    /** Waits, at most a minute, until {@code target} events are durable: a measured period ends there. */
    static void awaitDurable(EventTracker tracker, long target) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (tracker.metrics().durableRecords() < target && System.nanoTime() < deadline) {
            Thread.sleep(1); // polling the durable count, which has no callback
        }
    }

    /** Tracks from {@code threads} threads for {@code seconds}; returns how many events were tracked. */
    static long track(EventTracker tracker, int seconds, int threads) throws InterruptedException {
        LongAdder count = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] producers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            producers[t] = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    tracker.track(new PageView("user-" + (n % 977), "session-" + (n % 131) + "-" + id,
                            "/books/" + n + "/chapter/3", "https://example.com/search?q=distributed+systems", n, 42));
                    n++;
                }
                count.add(n);
            });
            producers[t].start();
        }
        Thread.sleep(seconds * 1000L); // the measurement period of a benchmark, not a wait for async work
        stop.set(true);
        for (Thread t : producers) {
            t.join();
        }
        return count.sum();
    }
}
