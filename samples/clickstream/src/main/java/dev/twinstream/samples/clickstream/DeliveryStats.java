package dev.twinstream.samples.clickstream;

import dev.twinstream.core.Clock;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.TrackedEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Hears every delivery (on the tracker's listener thread) and keeps, per sink, how long events took
 * from {@code track()} to delivered, and, for the Kinesis sink, how many events each shard got.
 */
final class DeliveryStats implements DeliveryListener {
    private final Clock clock;
    private final String kinesisSink;
    private final ShardMap shards;
    private final AtomicLongArray eventsPerShard;
    private final Map<String, Latencies> latencies = new LinkedHashMap<>();

    /**
     * @param clock the tracker's clock: {@code occurredAt} comes from it
     * @param kinesisSink the name of the Kinesis sink, whose events are counted per shard
     * @param shards the Kinesis stream's shards
     * @param sinks the names of all sinks
     */
    DeliveryStats(Clock clock, String kinesisSink, ShardMap shards, String... sinks) {
        this.clock = clock;
        this.kinesisSink = kinesisSink;
        this.shards = shards;
        this.eventsPerShard = new AtomicLongArray(shards.size());
        for (String sink : sinks) {
            latencies.put(sink, new Latencies());
        }
    }

    @Override
    public void onDelivered(String sink, TrackedEvent event) {
        latencies.get(sink).add(clock.epochMillis() - event.occurredAtMillis());
        if (sink.equals(kinesisSink)) {
            eventsPerShard.incrementAndGet(shards.indexOf(event.partitionKey()));
        }
    }

    /** {@return delivered events per open shard, by shard id in hash-key order} */
    Map<String, Long> eventsPerShard() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            counts.put(shards.shardIds().get(i), eventsPerShard.get(i));
        }
        return counts;
    }

    /**
     * The latencies of one sink.
     *
     * @param sink a sink's name
     * @return its histogram
     */
    Latencies latencies(String sink) {
        return latencies.get(sink);
    }

    /**
     * Milliseconds from {@code track()} to delivered, counted per millisecond up to two minutes (the
     * tracker's timestamps have millisecond resolution, so this is exact; anything slower counts as
     * two minutes). Bounded memory however long the run.
     */
    static final class Latencies {
        static final int MAX_MILLIS = 120_000;
        private final AtomicLongArray counts = new AtomicLongArray(MAX_MILLIS + 1);

        void add(long millis) {
            // A wall clock stepped back can make a latency negative: count it as 0.
            counts.incrementAndGet((int) Math.max(0, Math.min(MAX_MILLIS, millis)));
        }

        /**
         * The latency that {@code fraction} of the deliveries did not exceed.
         *
         * @param fraction 0.5 for the median, 0.99 for p99, 1 for the maximum
         * @return milliseconds, or -1 when nothing was delivered
         */
        long percentile(double fraction) {
            long total = 0;
            for (int i = 0; i <= MAX_MILLIS; i++) {
                total += counts.get(i);
            }
            if (total == 0) {
                return -1;
            }
            long rank = Math.max(1, (long) Math.ceil(fraction * total));
            long seen = 0;
            for (int i = 0; i <= MAX_MILLIS; i++) {
                seen += counts.get(i);
                if (seen >= rank) {
                    return i;
                }
            }
            return MAX_MILLIS;
        }
    }
}
