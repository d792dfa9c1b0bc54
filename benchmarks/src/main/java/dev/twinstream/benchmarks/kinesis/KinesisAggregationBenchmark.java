package dev.twinstream.benchmarks.kinesis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.sun.management.OperatingSystemMXBean;
import dev.twinstream.benchmarks.compare.EndpointProcess;
import dev.twinstream.benchmarks.compare.NullEndpoint;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.spi.SinkLimits;
import dev.twinstream.kinesis.KinesisSink;
import dev.twinstream.testkit.InMemorySink;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * Kinesis aggregation benchmark (a main class, not JMH: each measurement is one run of a fixed
 * number of events, with events/s and whole-process CPU per event).
 *
 * <p>The same {@value #EVENTS} events (an event's own JSON is ~250 bytes) go to
 * {@link NullEndpoint} (its own JVM, 127.0.0.1, one shard) three ways: through an {@link EventTracker}
 * with {@link KinesisSink} and aggregation, the same without aggregation, and with
 * {@code KinesisAsyncClient.putRecords} directly (500 records per call, 4 and 16 calls in flight,
 * events serialized with the same Jackson writer). Each mode warms up for at least the warm-up
 * time, then runs {@code reps} times; the medians are printed as a Markdown table.
 *
 * <p>Usage: {@code java -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar
 * dev.twinstream.benchmarks.kinesis.KinesisAggregationBenchmark [warmupSeconds=20] [reps=3] [aggregation|plain|raw]}
 */
public final class KinesisAggregationBenchmark {
    static final int EVENTS = 500_000;
    static final String STREAM = "bench";
    private static final int ENDPOINT_SHARDS = 1;
    private static final int ENDPOINT_THREADS = 4;

    /** A seed-001 event; its own JSON is ~140 bytes, its JSON-lines envelope ~250 bytes. */
    public record UserEvent(String userId, String sessionId, String eventType, String page, long timestamp) {}

    /** What the raw client sends per event: the same envelope shape the tracker writes (~250 bytes). */
    public record RawEnvelope(String eventId, String eventType, String occurredAt, UserEvent data) {}

    private final UserEvent[] events = new UserEvent[1024];
    private final RawEnvelope[] envelopes = new RawEnvelope[1024];
    private final ObjectWriter writer = new ObjectMapper().writerFor(RawEnvelope.class);
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final URI endpoint;
    private volatile double envelopeBytes;

    KinesisAggregationBenchmark(URI endpoint) {
        this.endpoint = endpoint;
        for (int i = 0; i < events.length; i++) {
            events[i] = new UserEvent("user-" + (i * 7919 % 1000), "session-" + (i % 97), i % 5 == 0 ? "add_to_cart" : "page_view",
                    "/products/electronics/headphones/" + i + "?color=black", 1_790_000_000_000L + i);
            envelopes[i] = new RawEnvelope(java.util.UUID.randomUUID().toString(), "user_event", "2026-11-22T05:00:00.000Z", events[i]);
        }
    }

    public static void main(String[] args) throws Exception {
        int warmupSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (EndpointProcess server = EndpointProcess.start(ENDPOINT_SHARDS, ENDPOINT_THREADS)) {
            URI uri = URI.create("http://127.0.0.1:" + server.httpPort());
            KinesisAggregationBenchmark b = new KinesisAggregationBenchmark(uri);
            System.out.printf(Locale.ROOT, "# %d events per run (raw envelope JSON %d bytes), warm-up >= %d s, median of %d runs%n",
                    EVENTS, b.writer.writeValueAsBytes(b.envelopes[0]).length, warmupSeconds, reps);
            System.out.printf(Locale.ROOT, "# machine: %d cores, %s %s, %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.vm.name") + " "
                            + System.getProperty("java.version"));
            String only = args.length > 2 ? args[2] : "";
            List<String> rows = new ArrayList<>();
            if ("aggregation".contains(only) || only.equals("aggregation")) {
                rows.add(b.measure("Twinstream, aggregation", warmupSeconds, reps, client -> b.twinstream(client, true)));
            }
            if (only.isEmpty() || only.equals("tracker")) {
                rows.add(b.measure("Twinstream into a count-only InMemorySink (the tracker's share)", warmupSeconds, reps,
                        client -> b.trackerOnly()));
            }
            if (only.isEmpty() || only.equals("plain")) {
                rows.add(b.measure("Twinstream, no aggregation", warmupSeconds, reps, client -> b.twinstream(client, false)));
            }
            if (only.isEmpty() || only.equals("raw")) {
                rows.add(b.measure("raw putRecords, 4 in flight", warmupSeconds, reps, client -> b.raw(client, 4)));
                rows.add(b.measure("raw putRecords, 16 in flight", warmupSeconds, reps, client -> b.raw(client, 16)));
            }
            System.out.println();
            System.out.println("| mode | events/s (median) | CPU µs/event (median) | runs (events/s) |");
            System.out.println("|---|---:|---:|---|");
            rows.forEach(System.out::println);
        }
    }

    interface Run {
        void run(KinesisAsyncClient client) throws Exception;
    }

    private String measure(String name, int warmupSeconds, int reps, Run run) throws Exception {
        try (KinesisAsyncClient client = client()) {
            long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
            int warmRuns = 0;
            do {
                run.run(client);
                warmRuns++;
            } while (System.nanoTime() < warmEnd);
            double[] rates = new double[reps];
            double[] cpu = new double[reps];
            for (int r = 0; r < reps; r++) {
                System.gc();
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                run.run(client);
                long t1 = System.nanoTime();
                long cpu1 = os.getProcessCpuTime();
                rates[r] = EVENTS / ((t1 - t0) / 1e9);
                cpu[r] = (cpu1 - cpu0) / 1e3 / EVENTS;
                System.out.printf(Locale.ROOT, "%s: run %d: %.0f events/s, %.2f µs CPU/event%n", name, r + 1, rates[r], cpu[r]);
            }
            double[] sortedRates = rates.clone();
            double[] sortedCpu = cpu.clone();
            Arrays.sort(sortedRates);
            Arrays.sort(sortedCpu);
            StringBuilder all = new StringBuilder();
            for (double rate : rates) {
                all.append(all.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", rate));
            }
            System.out.printf(Locale.ROOT, "%s: %d warm-up runs; tracker envelope mean %.0f bytes%n", name, warmRuns, envelopeBytes);
            return String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %s |", name, sortedRates[reps / 2], sortedCpu[reps / 2], all);
        }
    }

    private KinesisAsyncClient client() {
        return KinesisAsyncClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).maxConcurrency(64))
                .overrideConfiguration(KinesisSink.recommendedClientConfiguration())
                .build();
    }

    private void twinstream(KinesisAsyncClient client, boolean aggregation) {
        EventType<UserEvent> type = EventType.builder(UserEvent.class, "user_event").partitionKey(UserEvent::userId).build();
        // The local endpoint does not meter shards; the limiter would only pace to 1 MiB/s.
        KinesisSink sink = KinesisSink.builder(client, STREAM).aggregation(aggregation).rateLimiting(false).build();
        try (EventTracker tracker = EventTracker.builder().register(type)
                .sink("kinesis", sink, SinkOptions.defaults().linger(Duration.ofMillis(5)))
                .journal(Journal.memory().maxBytes(256L * 1024 * 1024).overflow(OverflowPolicy.block(Duration.ofSeconds(60))))
                .build()) {
            for (int i = 0; i < EVENTS; i++) {
                tracker.track(events[i & 1023]);
            }
            if (!tracker.flush(Duration.ofSeconds(120))) {
                throw new IllegalStateException("flush timed out: " + tracker.metrics());
            }
            SinkMetrics m = tracker.metrics().sinks().get("kinesis");
            envelopeBytes = m.meanBatchBytes() / Math.max(1, m.meanBatchRecords());
            if (m.delivered() != EVENTS || m.retried() != 0) {
                throw new IllegalStateException("not every event delivered once: " + m);
            }
        }
    }

    /** The same tracker and events into an in-memory sink that only counts: what Kinesis adds is the difference. */
    private void trackerOnly() {
        EventType<UserEvent> type = EventType.builder(UserEvent.class, "user_event").partitionKey(UserEvent::userId).build();
        InMemorySink sink = InMemorySink.builder().retainPayloads(false).limits(SinkLimits.of(10_000, 10L * 1024 * 1024, 1024 * 1024)).build();
        try (EventTracker tracker = EventTracker.builder().register(type)
                .sink("memory", sink, SinkOptions.defaults().linger(Duration.ofMillis(5)))
                .journal(Journal.memory().maxBytes(256L * 1024 * 1024).overflow(OverflowPolicy.block(Duration.ofSeconds(60))))
                .build()) {
            for (int i = 0; i < EVENTS; i++) {
                tracker.track(events[i & 1023]);
            }
            if (!tracker.flush(Duration.ofSeconds(120)) || sink.receivedCount() != EVENTS) {
                throw new IllegalStateException("not every event delivered: " + tracker.metrics());
            }
        }
    }

    private void raw(KinesisAsyncClient client, int inFlight) throws Exception {
        Semaphore permits = new Semaphore(inFlight);
        AtomicLong failed = new AtomicLong();
        List<PutRecordsRequestEntry> batch = new ArrayList<>(500);
        for (int i = 0; i < EVENTS; i++) {
            RawEnvelope e = envelopes[i & 1023];
            batch.add(PutRecordsRequestEntry.builder().partitionKey(e.data().userId())
                    .data(SdkBytes.fromByteArrayUnsafe(writer.writeValueAsBytes(e))).build());
            if (batch.size() == 500 || i == EVENTS - 1) {
                PutRecordsRequest request = PutRecordsRequest.builder().streamName(STREAM).records(batch).build();
                batch = new ArrayList<>(500);
                permits.acquire();
                client.putRecords(request).whenComplete((r, error) -> {
                    if (error != null || r.failedRecordCount() != 0) {
                        failed.incrementAndGet();
                    }
                    permits.release();
                });
            }
        }
        permits.acquire(inFlight);
        if (failed.get() != 0) {
            throw new IOException(failed.get() + " PutRecords calls failed");
        }
    }
}
