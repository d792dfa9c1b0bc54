package dev.twinstream.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.testkit.InMemorySink;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code track()} into an in-memory sink, end to end, beside the floor: Jackson alone serializing
 * the same event with the same kind of {@link ObjectWriter} the tracker derives for the type.
 *
 * <p>The pipeline runs with real threads, a 5 ms linger and a 64 MiB memory journal whose
 * overflow policy is BLOCK: once the journal is full, producers wait for the dispatcher, so the
 * measured rate is the sustained end-to-end rate and not the rate of filling a buffer. Every trial
 * ends by flushing and checking that each sink delivered exactly as many events as the benchmark
 * threads tracked; a mismatch fails the run.
 *
 * <p>Compare the pipeline with the floor of the same thread count within one run (see
 * {@code docs/BENCHMARKS.md}). Around every iteration, outside the measured time, both print the
 * machine's core-to-core round trip ({@link CoreToCore}), which tells a slow iteration caused by
 * the VM from one caused by the code.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 4, time = 5, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 5, timeUnit = TimeUnit.SECONDS)
public class TrackBenchmark {

    /** Distinct precomputed events each thread cycles through; a power of two. */
    static final int EVENT_COUNT = 1024;

    /** The event: about 130 bytes of JSON on its own, about 250 bytes as a JSON-lines envelope. */
    public record PageView(String userId, String sessionId, String page, String referrer, long durationMillis,
                           int scrollDepthPercent) {}

    /**
     * Events that differ in every field, built once so the measured loop allocates nothing for them.
     * The page path is padded so that each event's own JSON is about {@code eventJsonBytes} long.
     */
    static PageView[] events(int eventJsonBytes) {
        String[] pages = {"/pricing", "/docs/intro", "/blog/launch", "/cart"};
        String[] referrers = {"google.com", "github.com", "t.co/x1Y2", "bing.com"};
        PageView[] events = new PageView[EVENT_COUNT];
        for (int i = 0; i < EVENT_COUNT; i++) {
            PageView e = new PageView(
                    String.format("u-%05d", 10_000 + (i * 7919) % 90_000),
                    String.format("s-%06x", 0x100000 + (i * 104_729) % 0xf00000),
                    pages[i & 3],
                    referrers[(i >> 2) & 3],
                    100 + (i * 37L) % 9_000,
                    (i * 13) % 101);
            int missing = eventJsonBytes - jsonLength(e);
            if (missing > 0) {
                StringBuilder page = new StringBuilder(e.page()).append("/section-");
                while (page.length() < e.page().length() + missing) {
                    page.append((char) ('a' + page.length() % 26));
                }
                e = new PageView(e.userId(), e.sessionId(), page.toString(), e.referrer(), e.durationMillis(),
                        e.scrollDepthPercent());
            }
            events[i] = e;
        }
        return events;
    }

    private static int jsonLength(PageView event) {
        try {
            return new ObjectMapper().writeValueAsBytes(event).length;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The type as an application would register it: keyed by user, with required fields and a rule. */
    static EventType<PageView> pageViewType() {
        return EventType.builder(PageView.class, "page_view")
                .partitionKey(PageView::userId)
                .requireFields("userId", "sessionId")
                .rule("durationMillis >= 0", e -> e.durationMillis() >= 0)
                .build();
    }

    // ---- floor: Jackson alone --------------------------------------------------------------

    /** The floor's writer, shared by all threads (an {@link ObjectWriter} is thread-safe). */
    @State(Scope.Benchmark)
    public static class Floor {
        /** Size of the event's own JSON: 130 makes the JSON-lines envelope about 250 bytes. */
        @Param({"130", "250"})
        int eventJsonBytes;
        ObjectWriter writer;
        PageView[] events;

        @Setup(Level.Trial)
        public void setUp() {
            writer = new ObjectMapper().writerFor(PageView.class);
            events = events(eventJsonBytes);
        }

        /** The machine's core-to-core latency around each iteration: see {@link CoreToCore}. */
        @Setup(Level.Iteration)
        public void probeBefore() {
            CoreToCore.print("before");
        }

        @TearDown(Level.Iteration)
        public void probeAfter() {
            CoreToCore.print("after");
        }
    }

    /** A thread's position in the event array. */
    @State(Scope.Thread)
    public static class FloorCursor {
        private static final AtomicInteger THREADS = new AtomicInteger();
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            next = THREADS.getAndIncrement() * (EVENT_COUNT / 2);
        }
    }

    @Benchmark
    @Threads(1)
    public byte[] jacksonFloor_1thread(Floor floor, FloorCursor cursor) throws IOException {
        return floor.writer.writeValueAsBytes(floor.events[cursor.next++ & (EVENT_COUNT - 1)]);
    }

    @Benchmark
    @Threads(2)
    public byte[] jacksonFloor_2threads(Floor floor, FloorCursor cursor) throws IOException {
        return floor.writer.writeValueAsBytes(floor.events[cursor.next++ & (EVENT_COUNT - 1)]);
    }

    // ---- pipeline: track() -> in-memory sink ------------------------------------------------

    /** A tracker with its sinks, built once per trial and checked when the trial ends. */
    abstract static class Pipeline {
        EventTracker tracker;
        final List<InMemorySink> sinks = new ArrayList<>();
        final List<String> sinkNames = new ArrayList<>();
        final List<Producer> producers = new ArrayList<>();
        PageView[] events;

        void start(int sinkCount, int eventJsonBytes) {
            events = events(eventJsonBytes);
            EventTracker.Builder builder = EventTracker.builder()
                    .register(pageViewType())
                    .journal(Journal.memory()
                            .maxBytes(64L * 1024 * 1024)
                            .overflow(OverflowPolicy.block(Duration.ofSeconds(30))));
            for (int i = 0; i < sinkCount; i++) {
                InMemorySink sink = InMemorySink.builder().retainPayloads(false).build();
                String name = "memory-" + i;
                sinks.add(sink);
                sinkNames.add(name);
                builder.sink(name, sink, SinkOptions.defaults().linger(Duration.ofMillis(5)));
            }
            tracker = builder.build();
        }

        /**
         * Before and after each iteration, once the events tracked so far are delivered (so the
         * dispatcher is idle), measures the machine's core-to-core latency: see {@link CoreToCore}.
         */
        @Setup(Level.Iteration)
        public void probeBefore() {
            probe("before");
        }

        @TearDown(Level.Iteration)
        public void probeAfter() {
            probe("after");
        }

        private void probe(String when) {
            if (!tracker.flush(Duration.ofSeconds(60))) {
                throw new IllegalStateException("flush around an iteration did not finish within 60 s");
            }
            CoreToCore.print(when);
        }

        synchronized void register(Producer producer) {
            producers.add(producer);
        }

        /** Flushes, closes, and throws unless every sink got every event the producers tracked. */
        void stopAndVerify() {
            try {
                long tracked;
                synchronized (this) {
                    tracked = 0;
                    for (Producer p : producers) {
                        tracked += p.tracked;
                    }
                }
                boolean flushed = tracker.flush(Duration.ofSeconds(60));
                TrackerMetrics metrics = tracker.metrics();
                List<String> problems = new ArrayList<>();
                if (!flushed) {
                    problems.add("flush did not finish within 60 s");
                }
                if (metrics.bufferFullRejections() != 0) {
                    problems.add("bufferFullRejections=" + metrics.bufferFullRejections());
                }
                for (int i = 0; i < sinks.size(); i++) {
                    SinkMetrics m = metrics.sink(sinkNames.get(i));
                    long received = sinks.get(i).receivedCount();
                    if (m.accepted() != tracked || m.delivered() != tracked || received != tracked
                            || m.dropped() != 0 || m.deadLettered() != 0 || m.pendingRecords() != 0) {
                        problems.add(sinkNames.get(i) + ": tracked=" + tracked + " but accepted=" + m.accepted()
                                + " delivered=" + m.delivered() + " receivedBySink=" + received
                                + " dropped=" + m.dropped() + " deadLettered=" + m.deadLettered()
                                + " pending=" + m.pendingRecords());
                    }
                    if (sinks.get(i).limitViolations() != 0) {
                        problems.add(sinkNames.get(i) + ": limit violations " + sinks.get(i).limitViolationMessages());
                    }
                }
                if (!problems.isEmpty()) {
                    throw new IllegalStateException("the pipeline lost or mishandled events: " + problems
                            + "\n" + metrics);
                }
                System.out.println();
                for (String name : sinkNames) {
                    System.out.println("verified " + name + ": " + tracked + " tracked = delivered; " + metrics.sink(name));
                }
            } finally {
                tracker.close();
            }
        }
    }

    /** One sink. */
    @State(Scope.Benchmark)
    public static class OneSink extends Pipeline {
        /** Size of the event's own JSON, as in {@link Floor#eventJsonBytes}. */
        @Param({"130", "250"})
        int eventJsonBytes;

        @Setup(Level.Trial)
        public void setUp() {
            start(1, eventJsonBytes);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            stopAndVerify();
        }
    }

    /** Two sinks with the same format: each event is encoded once and delivered to both. */
    @State(Scope.Benchmark)
    public static class TwoSinks extends Pipeline {
        /** Size of the event's own JSON, as in {@link Floor#eventJsonBytes}. */
        @Param({"130", "250"})
        int eventJsonBytes;

        @Setup(Level.Trial)
        public void setUp() {
            start(2, eventJsonBytes);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            stopAndVerify();
        }
    }

    /**
     * A producer thread's position in the event array and its count of tracked events: a plain
     * field, so counting costs the measured loop nothing measurable. The pipeline reads the counts
     * in its trial tear-down, after every benchmark thread has stopped.
     */
    abstract static class Producer {
        private static final AtomicInteger THREADS = new AtomicInteger();
        int next;
        long tracked;

        void start(Pipeline pipeline) {
            next = THREADS.getAndIncrement() * (EVENT_COUNT / 2);
            pipeline.register(this);
        }

        String track(Pipeline pipeline) {
            String id = pipeline.tracker.track(pipeline.events[next++ & (EVENT_COUNT - 1)]);
            tracked++;
            return id;
        }
    }

    /** A producer of a {@link OneSink} pipeline. */
    @State(Scope.Thread)
    public static class OneSinkProducer extends Producer {
        @Setup(Level.Trial)
        public void setUp(OneSink pipeline) {
            start(pipeline);
        }
    }

    /** A producer of a {@link TwoSinks} pipeline. */
    @State(Scope.Thread)
    public static class TwoSinksProducer extends Producer {
        @Setup(Level.Trial)
        public void setUp(TwoSinks pipeline) {
            start(pipeline);
        }
    }

    @Benchmark
    @Threads(1)
    public String track_1thread(OneSink pipeline, OneSinkProducer producer) {
        return producer.track(pipeline);
    }

    @Benchmark
    @Threads(2)
    public String track_2threads(OneSink pipeline, OneSinkProducer producer) {
        return producer.track(pipeline);
    }

    @Benchmark
    @Threads(1)
    public String track_twoSinks_1thread(TwoSinks pipeline, TwoSinksProducer producer) {
        return producer.track(pipeline);
    }
}
