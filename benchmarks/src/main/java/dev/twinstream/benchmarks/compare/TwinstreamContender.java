package dev.twinstream.benchmarks.compare;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.kinesis.KinesisSink;
import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Twinstream as an application uses it: one {@link EventTracker} with one sink and
 * {@link SinkOptions#defaults()}, kept for the JVM's life; a run is {@code track()} per event, then
 * {@code flush}. The sinks keep their defaults; the Kinesis sink's rate limiter is off only because
 * the endpoint does not meter shards (it would pace to 1 MiB/s per shard). A run fails unless the
 * sink delivered exactly the events tracked, with no retry, drop or dead letter.
 */
final class TwinstreamContender implements Contender {
    static final String SINK = "out";
    // The default memory journal (64 MiB, BLOCK), its timeout raised from 1 s to 60 s: a producer that
    // outruns the sink waits, and no GC pause or slow round can make a run drop events.
    /**
     * Overrides the journal's size for a what-if run ({@code java -Dtwinstream.bench.journalMaxBytes=16777216
     * -cp … ComparisonBenchmark}): what the held backlog costs in GC.
     */
    static final String JOURNAL_MAX_BYTES_PROPERTY = ComparisonBenchmark.CONTENDER_PROPERTY_PREFIX + "journalMaxBytes";
    private static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(120);
    private static final EventType<BenchEvents.UserEvent> TYPE =
            EventType.builder(BenchEvents.UserEvent.class, BenchEvents.TYPE).partitionKey(BenchEvents.UserEvent::userId).build();

    private final EventTracker tracker;
    private final BenchEvents events = new BenchEvents();
    private long next;

    private TwinstreamContender(Sink sink) {
        this.tracker = EventTracker.builder().register(TYPE).sink(SINK, sink, SinkOptions.defaults())
                .journal(Journal.memory().maxBytes(Long.getLong(JOURNAL_MAX_BYTES_PROPERTY, Journal.DEFAULT_MAX_BYTES))
                        .overflow(OverflowPolicy.block(BLOCK_TIMEOUT)))
                .build();
    }

    /**
     * {@return Twinstream with the Kinesis sink}
     *
     * @param httpPort the endpoint's plain HTTP port
     * @param aggregation whether the sink aggregates (its default) or sends one record per event
     */
    static TwinstreamContender kinesis(int httpPort, boolean aggregation) {
        var client = AwsClients.kinesis(httpPort);
        return new TwinstreamContender(KinesisSink.builder(client, AwsClients.STREAM).aggregation(aggregation)
                .rateLimiting(false).build());
    }

    /**
     * {@return Twinstream with the Firehose sink and its default packing}
     *
     * @param httpPort the endpoint's plain HTTP port
     */
    static TwinstreamContender firehose(int httpPort) {
        var client = AwsClients.firehose(httpPort);
        return new TwinstreamContender(FirehoseSink.builder(client).deliveryStream(AwsClients.STREAM).build());
    }

    @Override
    public void run(int count, @Nullable Histogram latencies) {
        for (int i = 0; i < count; i++) {
            BenchEvents.UserEvent e = events.event(next++);
            if (latencies == null) {
                tracker.track(e);
            } else {
                long t0 = System.nanoTime();
                tracker.track(e);
                latencies.recordValue(System.nanoTime() - t0);
            }
        }
        if (!tracker.flush(FLUSH_TIMEOUT)) {
            throw new IllegalStateException("flush timed out after " + FLUSH_TIMEOUT + ": " + tracker.metrics());
        }
        SinkMetrics m = tracker.metrics().sink(SINK);
        if (m.delivered() != next || m.retried() != 0 || m.dropped() != 0 || m.deadLettered() != 0) {
            throw new IllegalStateException("not every one of " + next + " events delivered exactly once: " + m);
        }
    }

    /** Closes the tracker; the SDK client dies with the JVM (closing it idles 2 s in Netty's graceful shutdown). */
    @Override
    public void close() {
        tracker.close();
    }
}
