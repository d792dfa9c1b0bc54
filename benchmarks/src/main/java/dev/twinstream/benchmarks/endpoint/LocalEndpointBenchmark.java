package dev.twinstream.benchmarks.endpoint;

import com.sun.management.OperatingSystemMXBean;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.kinesis.KinesisSink;
import dev.twinstream.testkit.firehose.FakeFirehose;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import dev.twinstream.testkit.endpoint.LocalAwsEndpoint;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Whether the local AWS endpoint limits what a sample can push through it: a tracker with the
 * Kinesis sink (aggregation) or the Firehose sink (packing) delivering 300,000 events of ~250 bytes
 * through a real SDK client and the endpoint (HTTP on 127.0.0.1, CBOR for Kinesis, JSON for
 * Firehose, WireMock and the fake in this JVM, as the samples run it), beside the same pipeline
 * calling the fake in process (no HTTP, no marshalling): the difference is what the wire costs.
 *
 * <p>Events/s = events / wall time from the first {@code track()} to the last acknowledgement;
 * CPU/event = this process's CPU time (tracker, SDK client, Netty, Jetty, WireMock, the fake) per
 * event. Arguments: warm-up seconds (default 15), measured runs (default 3).
 */
public final class LocalEndpointBenchmark {
    static final int EVENTS = 300_000;
    static final String STREAM = "events";
    static final int SHARDS = 8;

    /** Seed 001's click event; its envelope is ~250 bytes. */
    public record Click(String userId, String sessionId, String eventType, String page, long timestamp) {}

    private static final EventType<Click> CLICK = EventType.builder(Click.class, "click").partitionKey(Click::userId).build();
    private final Click[] events = new Click[1024];
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private LocalEndpointBenchmark() {
        for (int i = 0; i < events.length; i++) {
            events[i] = new Click("user-" + (i * 7919 % 1000), "session-" + (i % 97), i % 3 == 0 ? "add_to_cart" : "page_view",
                    "/products/" + i + "?ref=search&campaign=winter-sale&utm_source=newsletter&utm_medium=email", 1_764_000_000_000L + i);
        }
    }

    public static void main(String[] args) throws Exception {
        int warmupSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        LocalEndpointBenchmark b = new LocalEndpointBenchmark();
        System.out.printf(Locale.ROOT, "# %d events per run, warm-up >= %d s, median of %d runs; %d cores, %s %s%n", EVENTS,
                warmupSeconds, reps, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        List<String> rows = new ArrayList<>();
        try (LocalAwsEndpoint endpoint = LocalAwsEndpoint.builder().kinesisStream(STREAM, SHARDS).firehoseStream(STREAM).start()) {
            var kinesisClient = endpoint.kinesisClient();
            var firehoseClient = endpoint.firehoseClient();
            rows.add(b.measure("KinesisSink, aggregation, through the endpoint (CBOR)", warmupSeconds, reps, endpoint,
                    e -> KinesisSink.builder(kinesisClient, STREAM).rateLimiting(false).build()));
            rows.add(b.measure("KinesisSink, aggregation, FakeKinesis in process", warmupSeconds, reps, endpoint,
                    e -> KinesisSink.builder(e.kinesis(), STREAM).rateLimiting(false).build()));
            rows.add(b.measure("FirehoseSink, packing, through the endpoint (JSON)", warmupSeconds, reps, endpoint,
                    e -> FirehoseSink.builder(firehoseClient).deliveryStream(STREAM).packing(true).build()));
            rows.add(b.measure("FirehoseSink, packing, FakeFirehose in process", warmupSeconds, reps, endpoint,
                    e -> FirehoseSink.builder(e.firehose()).deliveryStream(STREAM).packing(true).build()));
            System.out.printf(Locale.ROOT, "# endpoint: %d requests%n", endpoint.requestCount());
        }
        System.out.println();
        System.out.println("| mode | events/s (median) | CPU µs/event (median) | runs (events/s) |");
        System.out.println("|---|---:|---:|---|");
        rows.forEach(System.out::println);
    }

    private String measure(String name, int warmupSeconds, int reps, LocalAwsEndpoint endpoint,
            Function<LocalAwsEndpoint, Sink> sink) {
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        int warmRuns = 0;
        do {
            run(endpoint, sink);
            warmRuns++;
        } while (System.nanoTime() < warmEnd);
        double[] rates = new double[reps];
        double[] cpu = new double[reps];
        for (int r = 0; r < reps; r++) {
            long[] t = run(endpoint, sink);
            rates[r] = EVENTS / (t[0] / 1e9);
            cpu[r] = t[1] / 1e3 / EVENTS;
            System.out.printf(Locale.ROOT, "%s: run %d: %.0f events/s, %.2f µs CPU/event%n", name, r + 1, rates[r], cpu[r]);
        }
        StringBuilder all = new StringBuilder();
        for (double rate : rates) {
            all.append(all.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", rate));
        }
        Arrays.sort(rates);
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "%s: %d warm-up runs%n", name, warmRuns);
        return String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %s |", name, rates[reps / 2], cpu[reps / 2], all);
    }

    /** One run on fresh fakes; returns {wall nanos, CPU nanos}. */
    private long[] run(LocalAwsEndpoint endpoint, Function<LocalAwsEndpoint, Sink> sinkFactory) {
        endpoint.reset();
        System.gc();
        FakeKinesis kinesis = endpoint.kinesis();
        FakeFirehose firehose = endpoint.firehose();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        try (EventTracker tracker = EventTracker.builder().register(CLICK)
                .sink("aws", sinkFactory.apply(endpoint), SinkOptions.defaults().linger(Duration.ofMillis(5)))
                .journal(Journal.memory().maxBytes(256L * 1024 * 1024).overflow(OverflowPolicy.block(Duration.ofSeconds(60))))
                .build()) {
            for (int i = 0; i < EVENTS; i++) {
                tracker.track(events[i & 1023]);
            }
            if (!tracker.flush(Duration.ofSeconds(120))) {
                throw new IllegalStateException("flush timed out: " + tracker.metrics());
            }
            long wall = System.nanoTime() - t0;
            long cpu = os.getProcessCpuTime() - cpu0;
            SinkMetrics m = tracker.metrics().sinks().get("aws");
            if (m.delivered() != EVENTS || m.retried() != 0) {
                throw new IllegalStateException("not every event delivered once: " + m);
            }
            int received = kinesis.eventCount(STREAM) + firehose.lines(STREAM).size();
            if (received != EVENTS) {
                throw new IllegalStateException("the fakes hold " + received + " events, not " + EVENTS);
            }
            return new long[] {wall, cpu};
        }
    }
}
