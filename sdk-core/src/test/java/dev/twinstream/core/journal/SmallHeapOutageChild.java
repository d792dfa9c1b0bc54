package dev.twinstream.core.journal;

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
import java.nio.file.Paths;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link SmallHeapOutageTest} runs on a small heap. Arguments: journal directory, mode,
 * event count. {@code outage}: tracks the events with the only sink down, then brings it up and
 * waits until all are delivered. {@code fill}: tracks them with the sink down and closes with the
 * backlog pending. {@code drain}: reopens the journal and delivers the backlog. It prints
 * {@code key=value} lines and exits with 1 when a check fails (an OutOfMemoryError exits the JVM:
 * {@code -XX:+ExitOnOutOfMemoryError}).
 */
public final class SmallHeapOutageChild {
    /** The memory window the journal is configured with. */
    static final long WINDOW_BYTES = 4L << 20;
    /** What the heap may hold beyond the window (the bound). */
    static final long SLACK_BYTES = 32L << 20;

    /** The event: about 270 bytes once enveloped, so 4 M of them are over 1 GiB of payload. */
    public static final class Reading {
        private final int n;

        Reading(int n) {
            this.n = n;
        }

        /** Serialized by Jackson. */
        public int getN() {
            return n;
        }

        /** Serialized by Jackson. */
        public String getText() {
            return "chapter 7, page 212: the reader highlighted a passage about distributed logs, replayed it, "
                    + "and shared it with the two other readers of the club";
        }
    }

    private SmallHeapOutageChild() {}

    /** The memory journal of mode {@code tiny}. */
    static final long TINY_JOURNAL_BYTES = 24L << 20;

    /** An event whose payload (~110 bytes enveloped) is smaller than the record around it. */
    public static final class Tiny {
        private final int n;

        Tiny(int n) {
            this.n = n;
        }

        /** Serialized by Jackson. */
        public int getN() {
            return n;
        }
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        String mode = args[1];
        int events = Integer.parseInt(args[2]);
        if (mode.equals("tiny")) {
            tinyEventsInAMemoryJournal(events);
            return;
        }
        CountingSink sink = new CountingSink(events);
        sink.up = mode.equals("drain");
        HeapSampler heap = new HeapSampler();
        heap.start();
        long t0 = System.nanoTime();
        EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(Reading.class, "reading").partitionKey(r -> Integer.toString(r.getN())).build())
                .sink("s", sink, SinkOptions.defaults().linger(Duration.ofMillis(5))
                        .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(100))))
                // INTERVAL: the outage is about memory, not fsync latency; the window lets records go once forced.
                .journal(Journal.disk(Paths.get(args[0])).maxBytes(4L << 30).memoryBytes(WINDOW_BYTES)
                        .fsync(FsyncPolicy.interval(Duration.ofMillis(200))).overflow(OverflowPolicy.block(Duration.ofMinutes(1))))
                // A close with the sink down flushes for most of the timeout: the fill run need not wait.
                .closeTimeout(Duration.ofSeconds(mode.equals("fill") ? 1 : 30))
                .build();
        System.out.println("buildMillis=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        boolean ok = true;
        try {
            long expected;
            if (mode.equals("drain")) {
                expected = tracker.metrics().sink("s").pendingRecords();
            } else {
                for (int n = 0; n < events; n++) {
                    tracker.track(new Reading(n));
                }
                System.out.println("trackedEvents=" + events);
                System.out.println("journalBytes=" + tracker.metrics().journalBytes());
                System.out.println("backlogPayloadBytes=" + tracker.metrics().sink("s").pendingBytes());
                expected = events;
                if (mode.equals("outage")) {
                    sink.up = true;
                }
            }
            if (!mode.equals("fill")) {
                long d0 = System.nanoTime();
                long deadline = d0 + TimeUnit.MINUTES.toNanos(3);
                while (tracker.metrics().sink("s").delivered() < expected && System.nanoTime() < deadline) {
                    Thread.sleep(20); // polling the tracker's own counter, bounded by the deadline
                }
                double s = (System.nanoTime() - d0) / 1e9;
                System.out.printf(java.util.Locale.ROOT, "drainEventsPerSecond=%.0f%n", expected / s);
                SinkMetrics m = tracker.metrics().sink("s");
                ok &= check(m.delivered() == expected, "delivered " + m.delivered() + " of " + expected);
                ok &= check(sink.distinct.get() == expected && sink.duplicates == 0, "sink received "
                        + sink.distinct.get() + " distinct events and " + sink.duplicates + " duplicates");
                ok &= check(m.accepted() == m.delivered() + m.deadLettered() + m.dropped() + m.pendingRecords(),
                        "conservation: " + m);
            }
        } finally {
            tracker.close();
            heap.stopSampling();
        }
        System.out.println("maxLiveHeapBytes=" + heap.max);
        System.out.println("heapSamples=" + heap.samples);
        ok &= check(heap.max <= WINDOW_BYTES + SLACK_BYTES, "live heap " + heap.max + " over window + 32 MiB");
        System.exit(ok ? 0 : 1);
    }

    /**
     * Mode {@code tiny}: tiny events into a memory journal of {@link #TINY_JOURNAL_BYTES} with the
     * only sink down and DROP_NEWEST. The journal counts each event's payload plus the record around
     * it, so its capacity bounds the heap it takes: the live heap stays within the journal plus
     * {@link #SLACK_BYTES}, and the journal drops what does not fit.
     */
    private static void tinyEventsInAMemoryJournal(int events) throws Exception {
        CountingSink sink = new CountingSink(events);
        HeapSampler heap = new HeapSampler();
        heap.start();
        boolean ok = true;
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(Tiny.class, "tiny").partitionKey(t -> Integer.toString(t.getN())).build())
                .sink("s", sink, SinkOptions.defaults().linger(Duration.ofMillis(5))
                        .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(100))))
                .journal(Journal.memory().maxBytes(TINY_JOURNAL_BYTES).overflow(OverflowPolicy.dropNewest()))
                .closeTimeout(Duration.ofMillis(200))
                .build()) {
            for (int n = 0; n < events; n++) {
                tracker.track(new Tiny(n));
            }
            SinkMetrics m = tracker.metrics().sink("s");
            System.out.println("journalBytes=" + tracker.metrics().journalBytes());
            System.out.println("pendingRecords=" + m.pendingRecords());
            System.out.println("meanPayloadBytes=" + m.pendingBytes() / Math.max(1, m.pendingRecords()));
            System.out.println("dropped=" + m.dropped());
            ok &= check(m.dropped() > 0, "the journal should have filled and dropped: " + m);
            ok &= check(tracker.metrics().journalBytes() <= TINY_JOURNAL_BYTES, "journal over its capacity");
            ok &= check(m.accepted() == m.delivered() + m.deadLettered() + m.dropped() + m.pendingRecords(),
                    "conservation: " + m);
        } finally {
            heap.stopSampling();
        }
        System.out.println("maxLiveHeapBytes=" + heap.max);
        ok &= check(heap.max <= TINY_JOURNAL_BYTES + SLACK_BYTES, "live heap " + heap.max + " over journal + 32 MiB");
        System.exit(ok ? 0 : 1);
    }

    private static boolean check(boolean condition, String message) {
        if (!condition) {
            System.out.println("FAILED " + message);
        }
        return condition;
    }

    /**
     * Live heap: what the heap pools held right after the last collection (their collection usage),
     * so the producers' garbage allocated since does not count. Through reflection because the test
     * classes are compiled into sdk-core's module, which does not read {@code java.management}; the
     * child runs on the class path, where it is readable.
     */
    private static long usedHeap() {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Class<?> pool = Class.forName("java.lang.management.MemoryPoolMXBean");
            Class<?> usage = Class.forName("java.lang.management.MemoryUsage");
            long used = 0;
            for (Object bean : (java.util.List<?>) factory.getMethod("getMemoryPoolMXBeans").invoke(null)) {
                if (((Enum<?>) pool.getMethod("getType").invoke(bean)).name().equals("HEAP")) {
                    Object after = pool.getMethod("getCollectionUsage").invoke(bean);
                    used += after == null ? 0 : (long) usage.getMethod("getUsed").invoke(after);
                }
            }
            return used;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Down until {@link #up}; then accepts, remembering only which event numbers it saw. */
    private static final class CountingSink implements Sink {
        volatile boolean up;
        final BitSet seen;
        final java.util.concurrent.atomic.AtomicLong distinct = new java.util.concurrent.atomic.AtomicLong();
        long duplicates;

        CountingSink(int events) {
            this.seen = new BitSet(events);
        }

        @Override
        public SinkLimits limits() {
            return SinkLimits.of(500, 4L * 1024 * 1024, 1024 * 1024);
        }

        @Override
        public synchronized CompletionStage<BatchResult> send(SinkBatch batch) {
            if (!up) {
                return CompletableFuture.completedFuture(BatchResult.allFailed(batch.size(),
                        RecordResult.retryable("Down", "the sink is down")));
            }
            for (int i = 0; i < batch.size(); i++) {
                int n = Integer.parseInt(batch.partitionKey(i));
                if (seen.get(n)) {
                    duplicates++;
                } else {
                    seen.set(n);
                    distinct.incrementAndGet();
                }
            }
            return CompletableFuture.completedFuture(BatchResult.allOk(batch.size()));
        }
    }

    /**
     * Live heap: used right after a full collection (serial GC: {@code System.gc()} is a full,
     * stop-the-world collection, so what is left is what is reachable), every 200 ms.
     */
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
                max = Math.max(max, usedHeap());
                samples++;
                try {
                    Thread.sleep(200); // the sampling period
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stopSampling() throws InterruptedException {
            stopped = true;
            interrupt();
            join();
            System.gc();
            max = Math.max(max, usedHeap());
        }
    }
}
