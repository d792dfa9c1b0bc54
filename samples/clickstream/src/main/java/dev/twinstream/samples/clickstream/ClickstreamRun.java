package dev.twinstream.samples.clickstream;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.Clock;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.kinesis.KinesisSink;
import dev.twinstream.samples.clickstream.Summary.Bill;
import dev.twinstream.samples.clickstream.Summary.Latency;
import dev.twinstream.testkit.firehose.StreamStats;
import dev.twinstream.testkit.kinesis.Billing;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * One run: reach the backend, build the two sinks and the tracker, track the simulated users'
 * events at the requested rate, flush, and collect what happened into a {@link Summary}.
 */
final class ClickstreamRun implements Callable<Summary> {
    /** How long the final flush may take before the run gives up (a check then fails: events still pending). */
    private static final Duration FLUSH_TIMEOUT = Duration.ofMinutes(2);

    private final Clickstream o;
    private final Report report;
    private final Clock clock = Clock.system();
    private final AtomicLong tracked = new AtomicLong();

    ClickstreamRun(Clickstream options, PrintStream out) {
        this.o = options;
        this.report = new Report(out);
    }

    @Override
    public Summary call() throws Exception {
        try (Backend backend = Backend.open(o)) {
            ShardMap shards = ShardMap.load(backend.kinesis, o.stream);
            report.header(o, backend.description, shards.size());

            // The fast lane: Kinesis, read by consumers within about a second, so a short latency budget.
            CountingKinesisClient kinesis = new CountingKinesisClient(backend.kinesis);
            KinesisSink fastLane = KinesisSink.builder(kinesis, o.stream).aggregation(o.aggregation)
                    .buildAsync().get(30, TimeUnit.SECONDS); // reads the stream's record size limit
            RecordSizes sizes = new RecordSizes(); // one format for both sinks: each event is encoded once
            DeliveryStats stats = o.archive
                    ? new DeliveryStats(clock, Summary.FAST_LANE, shards, Summary.FAST_LANE, Summary.ARCHIVE)
                    : new DeliveryStats(clock, Summary.FAST_LANE, shards, Summary.FAST_LANE);
            EventTracker.Builder builder = EventTracker.builder()
                    .sink(Summary.FAST_LANE, fastLane, SinkOptions.defaults().format(sizes).linger(o.fastLinger))
                    .listener(stats)
                    .clock(clock)
                    .context("app", "shop-web");
            if (o.archive) {
                // The scenic route: Firehose buffers 60-900 s itself before S3, so waiting seconds here
                // costs nothing anyone sees, and fills larger requests and packed records.
                FirehoseSink archive = FirehoseSink.builder(backend.firehose).deliveryStream(o.archiveStream).build();
                builder.sink(Summary.ARCHIVE, archive, SinkOptions.defaults().format(sizes).linger(o.archiveLinger));
            }
            for (EventType<?> type : ClickEvent.eventTypes(o.keys)) {
                builder.register(type);
            }

            long start = System.nanoTime();
            long notAccepted;
            double trackSeconds;
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "clickstream-progress");
                t.setDaemon(true);
                return t;
            });
            EventTracker tracker = builder.build();
            try {
                startProgress(ticker, tracker, start);
                notAccepted = track(tracker, start);
                // n paced events span n / rate seconds (the last one's slot too), not the n - 1 gaps between them.
                trackSeconds = Math.max((System.nanoTime() - start) / 1e9, o.rate > 0 ? (double) tracked.get() / o.rate : 0);
                tracker.flush(FLUSH_TIMEOUT);
            } finally {
                tracker.close(); // closes the sinks too; the clients stay open until the backend closes
                ticker.shutdownNow();
            }
            // After close the listener has heard every outcome and the metrics are final.
            double totalSeconds = (System.nanoTime() - start) / 1e9;
            return summarize(backend, kinesis, sizes, stats, tracker.metrics(), notAccepted, trackSeconds, totalSeconds);
        }
    }

    /** Tracks until the event count or the duration is reached, paced to {@code --rate}; returns the refused. */
    private long track(EventTracker tracker, long start) {
        ClickGenerator users = new ClickGenerator(o.users, o.seed);
        Duration duration = o.duration();
        long deadline = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        long events = duration == null ? o.events() : Long.MAX_VALUE;
        long refused = 0;
        for (long i = 0; i < events; i++) {
            long now = System.nanoTime();
            long due = o.rate > 0 ? start + (long) (i * 1e9 / o.rate) : now;
            if (Math.max(now, due) >= deadline) {
                break;
            }
            if (due > now) {
                LockSupport.parkNanos(due - now);
            }
            try {
                tracker.track(users.next());
                tracked.incrementAndGet();
            } catch (BufferFullException e) {
                refused++; // the journal stayed full for its block timeout: the sinks cannot keep up
            }
        }
        return refused;
    }

    private void startProgress(ScheduledExecutorService ticker, EventTracker tracker, long start) {
        AtomicLong previous = new AtomicLong();
        ticker.scheduleAtFixedRate(() -> {
            long now = tracked.get();
            report.progress((System.nanoTime() - start) / 1e9, now, now - previous.getAndSet(now), tracker.metrics());
        }, 1, 1, TimeUnit.SECONDS);
    }

    private Summary summarize(Backend backend, CountingKinesisClient kinesis, RecordSizes sizes, DeliveryStats stats,
            TrackerMetrics metrics, long notAccepted, double trackSeconds, double totalSeconds) {
        Map<String, Latency> latency = new LinkedHashMap<>();
        latency.put(Summary.FAST_LANE, latencyOf(stats, Summary.FAST_LANE));
        if (o.archive) {
            latency.put(Summary.ARCHIVE, latencyOf(stats, Summary.ARCHIVE));
        }
        Bill counted = new Bill(kinesis.records(), kinesis.bytes(), kinesis.putPayloadUnits(), kinesis.putCalls());
        @Nullable Bill fakeBilling = null;
        @Nullable Map<String, Long> fakePerShard = null;
        long archiveRecords = -1;
        long archiveBilled = -1;
        if (backend.embedded != null) { // the fakes behind the endpoint can say what they stored and billed
            FakeKinesis fake = backend.embedded.kinesis();
            Billing b = fake.billing(o.stream);
            fakeBilling = new Bill(b.records(), b.bytes(), b.putPayloadUnits(), b.putCalls());
            fakePerShard = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> e : fake.eventsPerShard(o.stream).entrySet()) {
                fakePerShard.put(e.getKey(), e.getValue().longValue());
            }
            if (o.archive) {
                StreamStats archive = backend.embedded.firehose().stats(o.archiveStream);
                archiveRecords = archive.records();
                archiveBilled = archive.billedBytes();
            }
        }
        Summary summary = new Summary(backend.description, o.stream, o.archive ? o.archiveStream : null, o.users, o.keys,
                o.aggregation, tracked.get(), notAccepted, trackSeconds, totalSeconds, metrics, latency,
                stats.eventsPerShard(), fakePerShard, counted, fakeBilling, sizes.unaggregatedUnits(),
                sizes.meanRecordBytes(), archiveRecords, archiveBilled);
        report.summary(summary, o);
        return summary;
    }

    private static Latency latencyOf(DeliveryStats stats, String sink) {
        DeliveryStats.Latencies l = stats.latencies(sink);
        return new Latency(l.percentile(0.50), l.percentile(0.99), l.percentile(1.0));
    }
}
