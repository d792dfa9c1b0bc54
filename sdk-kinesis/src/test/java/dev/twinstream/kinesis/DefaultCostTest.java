package dev.twinstream.kinesis;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.kinesis.KinesisPipelineTest.UserEvent;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.kinesis.Billing;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import dev.twinstream.testkit.kinesis.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Kinesis sink's defaults cost (docs/BENCHMARKS.md, "Cost at default settings"): events of
 * about 250 bytes at a steady rate on virtual time, default {@link SinkOptions} and sink settings
 * (aggregation, a 500 ms buffering time, rate limiting), a {@link FakeKinesis} stream that meters
 * each shard's throughput.
 *
 * <p>Definitions, with B the latency budget ({@link KinesisSink#DEFAULT_MAX_BUFFERED_TIME}).
 * <em>Ideal units</em>: the bytes Kinesis meters for the events (data plus partition key, as for any
 * record) / 25 KiB, rounded up once for the whole run: perfect packing, no per-record rounding.
 * <em>Floor units</em>: what any producer must bill that keeps each event on its key's shard (the
 * KCL drops aggregated events outside a record's shard) and sends it within B: per shard, a record
 * holds events tracked within B of its oldest, so the shard needs at least the fewest intervals of
 * length B that cover its events' tracking times (greedy), and at least its bytes / 25 KiB; at least
 * the ideal in all. <em>Fewest calls</em>: the same cover over all events, and no fewer than the
 * request limits allow. Asserted at every rate: every event's age (track to receipt) within B, at
 * most two calls per budget window (a call that took each shard's partial record along with the
 * full ones would bill one more partial unit per shard, and Kinesis bills units, not calls), no
 * throttling. From 100 events/s: units within 10 % of the floor. From 1,000 events/s, where the
 * floor allows it: units within 10 % of the ideal. At 10 events/s a shard sees an event every
 * 400 ms, and the floor's producer, which sees each event as it is tracked, fits two in one
 * record where the sink, which gets them in batches every B/2, often cannot: logged, not asserted.
 */
class DefaultCostTest {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultCostTest.class);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long STEP_NANOS = 1_000_000L;
    private static final String STREAM = "clickstream";
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    @ParameterizedTest(name = "{0} events/s on {1} shards")
    @CsvSource({"10, 4, 200", "100, 4, 2000", "1000, 4, 20000", "100000, 40, 220000"})
    void defaultsBillWithinTenPercentOfTheFloorAndKeepTheBudget(int eventsPerSecond, int shards, int events) {
        VirtualScheduler time = new VirtualScheduler();
        FakeKinesis kinesis = FakeKinesis.builder().scheduler(time).seed(31).enforceThroughput(true).build()
                .createStream(STREAM, shards);
        KinesisSink sink = KinesisSink.builder(kinesis, STREAM).clock(time.clock()).scheduler(time).build();
        long[] ageNanos = new long[events];
        AtomicInteger receipts = new AtomicInteger();
        long start = time.clock().nanoTime();
        try (EventTracker tracker = EventTracker.builder().register(KinesisPipelineTest.BY_USER)
                .sink("kinesis", sink, SinkOptions.defaults())
                .clock(time.clock()).scheduler(time).random(new Random(5)).build()) {
            int next = 0;
            while (next < events) {
                long now = time.clock().nanoTime() - start;
                while (next < events && next * NANOS_PER_SECOND / eventsPerSecond <= now) {
                    int i = next++;
                    long trackedAt = time.clock().nanoTime();
                    tracker.trackWithReceipt(UserEvent.number(i))
                            .thenRun(() -> {
                                ageNanos[i] = time.clock().nanoTime() - trackedAt;
                                receipts.incrementAndGet();
                            });
                }
                long due = next < events ? next * NANOS_PER_SECOND / eventsPerSecond - now : 0;
                time.advance(Duration.ofNanos(Math.max(STEP_NANOS, due)));
            }
            boolean idle = time.advanceUntil(() -> tracker.metrics().sinks().values().stream()
                    .allMatch(m -> m.pendingRecords() == 0), Duration.ofMinutes(5));
            assertThat(idle).as("idle: %s", tracker.metrics()).isTrue();
            time.runPending();
            assertThat(tracker.metrics()).isConserved().hasNothingPending().hasOutcomes("kinesis", events, 0, 0);
            assertThat(tracker.metrics().sink("kinesis").retried()).as("throttled and retried").isZero();
        }
        assertThat(kinesis).stream(STREAM).hasReceivedEvents(events).hasNoDuplicatePayloads();
        long unit = FakeKinesis.PUT_PAYLOAD_UNIT_BYTES;
        long budgetNanos = KinesisSink.DEFAULT_MAX_BUFFERED_TIME.toNanos();
        Map<String, long[]> trackedAtByShard = new HashMap<>();
        Map<String, Long> meteredByShard = new HashMap<>();
        long payload = 0;
        long metered = 0;
        long[] trackedAt = new long[events];
        int k = 0;
        for (StoredEvent e : kinesis.events(STREAM)) {
            int seq = seqOf(e.dataAsUtf8());
            long bytes = e.data().length + e.partitionKey().getBytes(StandardCharsets.UTF_8).length;
            meteredByShard.merge(e.shardId(), bytes, Long::sum);
            long[] times = trackedAtByShard.computeIfAbsent(e.shardId(), id -> new long[events + 1]);
            times[1 + (int) times[0]++] = seq * NANOS_PER_SECOND / eventsPerSecond;
            trackedAt[k++] = seq * NANOS_PER_SECOND / eventsPerSecond;
            payload += e.data().length;
            metered += bytes;
        }
        Billing billing = kinesis.billing(STREAM);
        long idealUnits = ceilDiv(metered, unit);
        long floorUnits = 0;
        for (Map.Entry<String, long[]> shard : trackedAtByShard.entrySet()) {
            long[] times = Arrays.copyOfRange(shard.getValue(), 1, 1 + (int) shard.getValue()[0]);
            floorUnits += Math.max(cover(times, budgetNanos), ceilDiv(meteredByShard.get(shard.getKey()), unit));
        }
        floorUnits = Math.max(floorUnits, idealUnits);
        long fewestCalls = Math.max(cover(trackedAt, budgetNanos),
                Math.max(ceilDiv(events, KinesisSink.DEFAULT_MAX_EVENTS_PER_BATCH),
                        ceilDiv(billing.bytes(), KinesisSink.MAX_REQUEST_BYTES)));
        long[] sorted = ageNanos.clone();
        Arrays.sort(sorted);
        LOG.info(String.format(Locale.ROOT,
                "Kinesis defaults at %,d events/s on %d shards: %,d events, %,d payload bytes (%,d with keys),"
                        + " %,d records, %,d calls (fewest %,d, ratio %.3f), %,d PUT payload units (ideal %,d, ratio %.3f;"
                        + " floor %,d, ratio %.3f), event age p50 %,d ms max %,d ms",
                eventsPerSecond, shards, events, payload, metered, billing.records(), billing.putCalls(), fewestCalls,
                (double) billing.putCalls() / fewestCalls, billing.putPayloadUnits(), idealUnits,
                (double) billing.putPayloadUnits() / idealUnits, floorUnits,
                (double) billing.putPayloadUnits() / floorUnits, sorted[events / 2] / 1_000_000,
                sorted[events - 1] / 1_000_000));
        assertThat(receipts.get()).as("receipts completed").isEqualTo(events);
        assertThat(sorted[events - 1]).as("oldest event age").isLessThanOrEqualTo(budgetNanos);
        if (eventsPerSecond >= 100) {
            assertThat((double) billing.putPayloadUnits() / floorUnits).as("units / floor units").isLessThanOrEqualTo(1.10);
        }
        if (eventsPerSecond >= 1000) {
            assertThat((double) billing.putPayloadUnits() / idealUnits).as("units / ideal units").isLessThanOrEqualTo(1.10);
        }
        assertThat((double) billing.putCalls() / fewestCalls).as("calls / fewest calls").isLessThanOrEqualTo(2.05);
    }

    /** The fewest intervals of length {@code widthNanos} that cover these times (greedy from the earliest). */
    private static long cover(long[] times, long widthNanos) {
        long[] sorted = times.clone();
        Arrays.sort(sorted);
        long intervals = 0;
        long end = Long.MIN_VALUE;
        for (long t : sorted) {
            if (t > end) {
                intervals++;
                end = t + widthNanos;
            }
        }
        return intervals;
    }

    private static int seqOf(String json) {
        Matcher m = SEQ.matcher(json);
        if (!m.find()) {
            throw new AssertionError("no seq in " + json);
        }
        return Integer.parseInt(m.group(1));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
