package dev.twinstream.samples.clickstream;

import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.samples.clickstream.ClickEvent.KeyScheme;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything a run measured, the figures derived from it, and the checks that decide the exit code.
 *
 * @param backend where the events went
 * @param stream the Kinesis stream
 * @param archiveStream the Firehose delivery stream, or null with {@code --no-archive}
 * @param users simulated users
 * @param keys the partition-key scheme
 * @param aggregation whether the Kinesis sink aggregated
 * @param tracked events {@code track()} accepted
 * @param notAccepted events {@code track()} refused (journal full)
 * @param trackSeconds how long tracking took
 * @param totalSeconds tracking plus flushing
 * @param metrics the tracker's final metrics
 * @param latency per sink, from {@code track()} to delivered
 * @param eventsPerShard delivered Kinesis events per shard, counted by the sample (ListShards + MD5 of each key)
 * @param fakeEventsPerShard the same as the embedded fake stored it, or null for another backend
 * @param counted what the Kinesis responses said was accepted, tallied by the sample
 * @param fakeBilling the embedded fake's billing counters, or null for another backend
 * @param unaggregatedUnits PUT payload units if each event had been its own record
 * @param meanRecordBytes the mean size of one event as its own record (data plus key)
 * @param archiveRecords Firehose records the embedded fake stored, or -1
 * @param archiveBilledBytes bytes the embedded fake billed (5 KB increments), or -1
 */
public record Summary(String backend, String stream, @Nullable String archiveStream, int users, KeyScheme keys,
        boolean aggregation, long tracked, long notAccepted, double trackSeconds, double totalSeconds,
        TrackerMetrics metrics, Map<String, Latency> latency, Map<String, Long> eventsPerShard,
        @Nullable Map<String, Long> fakeEventsPerShard, Bill counted, @Nullable Bill fakeBilling,
        long unaggregatedUnits, double meanRecordBytes, long archiveRecords, long archiveBilledBytes) {

    /** The Kinesis sink's name. */
    public static final String FAST_LANE = "fast-lane";
    /** The Firehose sink's name. */
    public static final String ARCHIVE = "archive";
    /**
     * Events per shard: largest over smallest. Kinesis puts a key on the shard whose hash range holds
     * its MD5, so K random keys split Binomial(K, 1/shards): with 1,000 users on 4 shards the
     * counts vary by about sqrt(3/1,000) = 5.5 %, plus the noise of which users the generator picks.
     * Simulated over 400 seeds with 20,000 events, max/min was 1.14 at the median, 1.19 at the 99th
     * percentile and 1.22 at worst; 1.3 leaves room for that.
     */
    public static final double MAX_SHARD_SKEW = 1.3;
    /**
     * Below this many distinct keys per shard hashing cannot promise {@link #MAX_SHARD_SKEW}, nor below
     * {@link #MIN_EVENTS_PER_SHARD} events per shard (at 1,000 events per shard, 1 run in 300 exceeds
     * 1.3 by chance alone): then the distribution is shown but not checked.
     */
    public static final int MIN_KEYS_PER_SHARD = 250;
    /** See {@link #MIN_KEYS_PER_SHARD}. */
    public static final int MIN_EVENTS_PER_SHARD = 5_000;
    /**
     * Events per Kinesis record with aggregation: a shard's events of one linger window share a
     * record, so at 2,000 events/s, 50 ms and 4 shards about 25 do; a floor of 5 fails only if
     * aggregation did not work (or the load is below ~400 events/s at that linger).
     */
    public static final double MIN_AGGREGATION_RATIO = 5;
    /** Seed 001's sizing rule: one shard takes 1,000 records/s or 1 MiB/s, whichever comes first. */
    public static final int SHARD_RECORDS_PER_SECOND = 1000;
    /** See {@link #SHARD_RECORDS_PER_SECOND}. */
    public static final long SHARD_BYTES_PER_SECOND = 1024L * 1024;
    /** The most records one {@code PutRecords} call takes. */
    public static final int RECORDS_PER_PUT_RECORDS = 500;

    /** Latency percentiles in milliseconds (-1 when nothing was delivered). */
    public record Latency(long p50, long p99, long max) {}

    /** Kinesis write counters: records, bytes (data plus keys), PUT payload units, calls. */
    public record Bill(long records, long bytes, long putPayloadUnits, long putCalls) {}

    /** One check: passed, failed, or not applicable to this run, with the figures that decided it. */
    public record Check(String name, Status status, String detail) {}

    /** Outcomes of a {@link Check}. */
    public enum Status { PASSED, FAILED, NOT_CHECKED }

    /**
     * A sink's final metrics.
     *
     * @param sink {@link #FAST_LANE} or {@link #ARCHIVE}
     * @return its metrics
     */
    public SinkMetrics sink(String sink) {
        return metrics.sink(sink);
    }

    /** {@return events tracked per second while tracking} */
    public double eventsPerSecond() {
        return trackSeconds <= 0 ? tracked : tracked / trackSeconds;
    }

    /** {@return the Kinesis counters: the fake's with the embedded endpoint, else the sample's own} */
    public Bill kinesisBill() {
        return fakeBilling != null ? fakeBilling : counted;
    }

    /** {@return events delivered per Kinesis record (1 without aggregation)} */
    public double aggregationRatio() {
        long records = kinesisBill().records();
        return records == 0 ? 0 : (double) sink(FAST_LANE).delivered() / records;
    }

    /** {@return the fewest PutRecords calls that could carry every event as its own record: ceil(events / 500)} */
    public long unaggregatedCalls() {
        return (sink(FAST_LANE).delivered() + RECORDS_PER_PUT_RECORDS - 1) / RECORDS_PER_PUT_RECORDS;
    }

    /**
     * Seed 001's rule at the measured rate: max(ceil(records/s / 1,000), ceil(bytes/s / 1 MiB)), at least 1.
     *
     * @param aggregated with this run's aggregation ratio and record bytes, or each event its own record
     * @return the shards the load needs
     */
    public long shardsNeeded(boolean aggregated) {
        double events = eventsPerSecond();
        double recordsPerSecond = aggregated ? events / Math.max(1, aggregationRatio()) : events;
        double bytesPerEvent = aggregated && sink(FAST_LANE).delivered() > 0
                ? (double) kinesisBill().bytes() / sink(FAST_LANE).delivered() : meanRecordBytes;
        long byRecords = (long) Math.ceil(recordsPerSecond / SHARD_RECORDS_PER_SECOND);
        long byBytes = (long) Math.ceil(events * bytesPerEvent / SHARD_BYTES_PER_SECOND);
        return Math.max(1, Math.max(byRecords, byBytes));
    }

    /** {@return largest over smallest events per shard (infinite if a shard got none)} */
    public double shardSkew() {
        long max = Collections.max(eventsPerShard.values());
        long min = Collections.min(eventsPerShard.values());
        return min == 0 ? Double.POSITIVE_INFINITY : (double) max / min;
    }

    /** {@return the checks, in the order they are printed} */
    public List<Check> checks() {
        List<Check> checks = new ArrayList<>();
        for (SinkMetrics m : metrics.sinks().values()) {
            boolean all = m.accepted() == tracked && m.delivered() == m.accepted() && m.deadLettered() == 0
                    && m.dropped() == 0 && m.pendingRecords() == 0;
            checks.add(new Check("every accepted event delivered to " + m.sink(), all ? Status.PASSED : Status.FAILED,
                    Report.format("%,d of %,d delivered, %,d dead-lettered, %,d dropped, %,d pending", m.delivered(),
                            tracked, m.deadLettered(), m.dropped(), m.pendingRecords())));
        }
        checks.add(new Check("conservation", metrics.isConserved() ? Status.PASSED : Status.FAILED,
                "accepted = delivered + dead-lettered + dropped + pending, per sink"));
        long distinctKeys = Math.min(tracked, (long) users * (keys == KeyScheme.USER ? 1 : 3));
        long keysPerShard = distinctKeys / eventsPerShard.size();
        long eventsPerShardMean = sink(FAST_LANE).delivered() / eventsPerShard.size();
        String skew = Report.format("max/min = %.2f (limit %.1f; %,d keys and %,d events per shard)", shardSkew(),
                MAX_SHARD_SKEW, keysPerShard, eventsPerShardMean);
        boolean applies = keysPerShard >= MIN_KEYS_PER_SHARD && eventsPerShardMean >= MIN_EVENTS_PER_SHARD;
        checks.add(new Check("shard distribution", !applies ? Status.NOT_CHECKED
                : shardSkew() <= MAX_SHARD_SKEW ? Status.PASSED : Status.FAILED,
                applies ? skew : Report.format("%s: checked from %,d keys and %,d events per shard", skew,
                        MIN_KEYS_PER_SHARD, MIN_EVENTS_PER_SHARD)));
        checks.add(new Check("aggregation ratio", !aggregation ? Status.NOT_CHECKED
                : aggregationRatio() >= MIN_AGGREGATION_RATIO ? Status.PASSED : Status.FAILED,
                Report.format("%.1f events per Kinesis record (floor %.0f with aggregation)", aggregationRatio(),
                        MIN_AGGREGATION_RATIO)));
        if (fakeBilling != null && fakeEventsPerShard != null) {
            boolean same = fakeEventsPerShard.equals(eventsPerShard) && fakeBilling.records() == counted.records()
                    && fakeBilling.putPayloadUnits() == counted.putPayloadUnits() && fakeBilling.putCalls() == counted.putCalls();
            checks.add(new Check("own counts = the fake's", same ? Status.PASSED : Status.FAILED,
                    "events per shard, records, PUT payload units and calls seen over the wire vs stored by FakeKinesis"));
        }
        return checks;
    }

    /** {@return 0 if no check failed, else 1} */
    public int exitCode() {
        return checks().stream().anyMatch(c -> c.status() == Status.FAILED) ? 1 : 0;
    }
}
