package dev.twinstream.benchmarks;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A long outage through the disk journal, in separate JVMs so each phase has the heap it is
 * measured with (commands in {@code docs/BENCHMARKS.md}, "Disk journal: outage, drain, recovery"):
 *
 * <ul>
 *   <li>{@code fill <dir> <GiB>}: the only sink is down; track ~250-byte events until the backlog
 *       on disk reaches the target, sampling live heap (used after a full GC) every second. A
 *       compressed outage: 4 GiB is ~30 minutes of 9,000 events/s.
 *   <li>{@code drain <dir>}: time {@code build()} on the backlog (recovery), read every segment
 *       file sequentially with a plain {@code FileChannel} (the floor: what the disk gives), then
 *       bring the sink up and time the drain to a count-only sink. The page cache is dropped before
 *       each of the three when {@code /proc/sys/vm/drop_caches} is writable (root).
 * </ul>
 */
public final class JournalOutageBenchmark {
    private static final long MEMORY_BYTES = 8L << 20;

    private JournalOutageBenchmark() {}

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[1]);
        if (args[0].equals("fill")) {
            fill(dir, (long) (Double.parseDouble(args[2]) * (1L << 30)));
        } else {
            drain(dir);
        }
    }

    /** Down until {@link #up} is set; then accepts and counts, holding nothing. */
    private static final class SwitchSink implements Sink {
        volatile boolean up;
        final AtomicLong delivered = new AtomicLong();

        @Override
        public SinkLimits limits() {
            return SinkLimits.of(500, 4L * 1024 * 1024, 1024 * 1024);
        }

        @Override
        public CompletionStage<BatchResult> send(SinkBatch batch) {
            if (!up) {
                return CompletableFuture.completedFuture(BatchResult.allFailed(batch.size(),
                        RecordResult.retryable("Down", "benchmark sink is down")));
            }
            delivered.addAndGet(batch.size());
            return CompletableFuture.completedFuture(BatchResult.allOk(batch.size()));
        }
    }

    private static EventTracker tracker(Path dir, Sink sink) {
        return EventTracker.builder()
                .register(EventType.builder(DurableTrackRun.PageView.class, "page_view")
                        .partitionKey(DurableTrackRun.PageView::userId).build())
                .sink("s", sink, SinkOptions.defaults().retry(RetryPolicy.defaults().maxDelay(Duration.ofMillis(200))))
                .journal(Journal.disk(dir).maxBytes(64L << 30).memoryBytes(MEMORY_BYTES)
                        .fsync(FsyncPolicy.interval(Duration.ofSeconds(1)))
                        .overflow(OverflowPolicy.block(Duration.ofMinutes(1))))
                .closeTimeout(Duration.ofSeconds(30))
                .build();
    }

    private static void fill(Path dir, long targetBytes) throws Exception {
        SwitchSink sink = new SwitchSink();
        HeapSampler heap = new HeapSampler();
        heap.start();
        long t0 = System.nanoTime();
        long n = 0;
        try (EventTracker tracker = tracker(dir, sink)) {
            while (true) {
                for (int i = 0; i < 100_000; i++, n++) {
                    tracker.track(new DurableTrackRun.PageView("user-" + (n % 977), "session-" + (n % 131),
                            "/books/" + n + "/chapter/3", "https://example.com/search?q=distributed+systems", n, 42));
                }
                if (tracker.metrics().journalBytes() >= targetBytes) {
                    break;
                }
            }
        }
        heap.stopSampling();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "fill: %,d events, %.2f GiB of segment files in %.1f s (%,.0f events/s); "
                        + "live heap max %.1f MiB over %d samples (window %d MiB, -Xmx %d MiB)%n", n,
                segmentBytes(dir) / (double) (1L << 30), s, n / s, heap.max / 1048576.0, heap.samples,
                MEMORY_BYTES >> 20, Runtime.getRuntime().maxMemory() >> 20);
    }

    private static void drain(Path dir) throws Exception {
        dropCaches();
        SwitchSink sink = new SwitchSink();
        long read0 = diskReadBytes();
        long t0 = System.nanoTime();
        EventTracker tracker = tracker(dir, sink);
        double recoverySeconds = (System.nanoTime() - t0) / 1e9;
        long recoveryRead = diskReadBytes() - read0;
        try {
            SinkMetrics before = tracker.metrics().sink("s");
            long pending = before.pendingRecords();
            long bytes = segmentBytes(dir);
            System.out.printf(Locale.ROOT, "recovery: build() on %,d pending events, %.2f GiB, took %.3f s with -Xmx %d MiB, "
                            + "%.1f MB read from the disk (%s)%n", pending, bytes / (double) (1L << 30), recoverySeconds,
                    Runtime.getRuntime().maxMemory() >> 20, recoveryRead / 1e6, tracker.metrics().journalRecovery());

            dropCaches();
            double floor = sequentialRead(dir);
            dropCaches();
            HeapSampler heap = new HeapSampler();
            heap.start();
            long d0 = System.nanoTime();
            sink.up = true;
            while (sink.delivered.get() < pending) {
                Thread.sleep(5); // polling the benchmark's own counter; the drain is what is timed
            }
            double s = (System.nanoTime() - d0) / 1e9;
            heap.stopSampling();
            System.out.printf(Locale.ROOT, "drain: %,d events in %.1f s = %,.0f events/s, %.1f MB/s of segment files; "
                            + "sequential read floor %.1f MB/s; drain/floor = %.0f %%; live heap max %.1f MiB%n", pending, s,
                    pending / s, bytes / s / 1e6, floor, 100 * (bytes / s / 1e6) / floor, heap.max / 1048576.0);
        } finally {
            tracker.close();
        }
    }

    /** Reads every segment file with 1 MiB sequential reads; MB/s. */
    private static double sequentialRead(Path dir) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        long bytes = 0;
        long t0 = System.nanoTime();
        for (Path p : segments(dir)) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                long pos = 0;
                int n;
                while ((n = ch.read(buf, pos)) > 0) {
                    pos += n;
                    buf.clear();
                }
                bytes += pos;
            }
        }
        double mb = bytes / ((System.nanoTime() - t0) / 1e9) / 1e6;
        System.out.printf(Locale.ROOT, "sequential read of the segment files: %.1f MB/s%n", mb);
        return mb;
    }

    private static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tsj")).sorted().collect(Collectors.toList());
        }
    }

    private static long segmentBytes(Path dir) throws IOException {
        long total = 0;
        for (Path p : segments(dir)) {
            total += Files.size(p);
        }
        return total;
    }

    /** Bytes this process made the kernel fetch from storage ({@code /proc/self/io}), or 0 where unknown. */
    private static long diskReadBytes() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/io"))) {
                if (line.startsWith("read_bytes:")) {
                    return Long.parseLong(line.substring("read_bytes:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the figure is left out
        }
        return 0;
    }

    private static void dropCaches() {
        Path control = Paths.get("/proc/sys/vm/drop_caches");
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
            Files.write(control, "3\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException | InterruptedException | SecurityException e) {
            System.out.println("(page cache not dropped: " + e + ")");
        }
    }

    /** Live heap: the heap pools' usage right after a full GC, sampled every second. */
    private static final class HeapSampler extends Thread {
        volatile long max;
        volatile int samples;
        private volatile boolean stopped;

        HeapSampler() {
            super("heap-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stopped) {
                System.gc();
                long used = 0; // what the heap pools held right after that collection: live, not the garbage since
                for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null) {
                        used += pool.getCollectionUsage().getUsed();
                    }
                }
                max = Math.max(max, used);
                samples++;
                try {
                    Thread.sleep(1000); // the sampling period
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stopSampling() {
            stopped = true;
            interrupt();
        }
    }
}
