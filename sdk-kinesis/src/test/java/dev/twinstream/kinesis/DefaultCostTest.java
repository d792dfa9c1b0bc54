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
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Kinesis sink's defaults cost (docs/BENCHMARKS.md, "Cost at default settings"): events of
 * about 250 bytes at a steady rate on virtual time, default {@link SinkOptions} (so the sink's
 * 500 ms default linger) and sink settings (aggregation, rate limiting), a {@link FakeKinesis}
 * stream that meters each shard's throughput.
 *
 * <p>Definitions. <em>Ideal units</em>: the event payload bytes / 25 KiB, rounded up once for the
 * whole run (what perfect packing into one record stream would bill). <em>Floor units</em>: what
 * any producer that sends each shard's events of a batch window in that window must bill: for each
 * of the B windows and each shard s, {@code ceil(payload_s / B / 25 KiB)}, B being the fewest
 * calls below (at least the ideal). <em>Fewest calls</em>: one per linger window over the run plus the
 * last, and no fewer than the batch limits (events per send, bytes per request) allow. Asserted at
 * every rate: units within 10 % of the floor, calls within 5 % of the fewest (so one call per
 * window carries every shard's records: the pacer holds none back), no throttling. The ideal is
 * logged, not asserted: the shards and the budget bound it, as each shard's records of a window
 * are billed at least {@code ceil(rate * size * budget / shards / 25 KiB)} units.
 */
class DefaultCostTest {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultCostTest.class);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long STEP_NANOS = 1_000_000L;
    private static final String STREAM = "clickstream";

    @ParameterizedTest(name = "{0} events/s on {1} shards")
    @CsvSource({"10, 4, 200", "100, 4, 2000", "1000, 4, 20000", "100000, 40, 220000"})
    void defaultsBillWithinTenPercentOfTheFloor(int eventsPerSecond, int shards, int events) {
        VirtualScheduler time = new VirtualScheduler();
        FakeKinesis kinesis = FakeKinesis.builder().scheduler(time).seed(31).enforceThroughput(true).build()
                .createStream(STREAM, shards);
        KinesisSink sink = KinesisSink.builder(kinesis, STREAM).clock(time.clock()).scheduler(time).build();
        long lingerNanos = KinesisSink.DEFAULT_LINGER.toNanos();
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
        Map<String, Long> payloadPerShard = new HashMap<>();
        long payload = 0;
        for (StoredEvent e : kinesis.events(STREAM)) {
            payloadPerShard.merge(e.shardId(), (long) e.data().length, Long::sum);
            payload += e.data().length;
        }
        Billing billing = kinesis.billing(STREAM);
        long unit = FakeKinesis.PUT_PAYLOAD_UNIT_BYTES;
        long durationNanos = (events - 1) * NANOS_PER_SECOND / eventsPerSecond;
        long fewestCalls = Math.max(durationNanos / lingerNanos + 1,
                Math.max(ceilDiv(events, KinesisSink.DEFAULT_MAX_EVENTS_PER_BATCH),
                        ceilDiv(billing.bytes(), KinesisSink.MAX_REQUEST_BYTES)));
        long idealUnits = ceilDiv(payload, unit);
        long floorUnits = 0;
        for (long shardPayload : payloadPerShard.values()) {
            floorUnits += fewestCalls * ceilDiv(ceilDiv(shardPayload, fewestCalls), unit);
        }
        floorUnits = Math.max(floorUnits, idealUnits);
        long[] sorted = ageNanos.clone();
        Arrays.sort(sorted);
        LOG.info(String.format(Locale.ROOT,
                "Kinesis defaults at %,d events/s on %d shards: %,d events, %,d payload bytes, %,d records,"
                        + " %,d calls (fewest %,d, ratio %.3f), %,d PUT payload units (ideal %,d, ratio %.3f;"
                        + " floor %,d, ratio %.3f), event age p50 %,d ms max %,d ms",
                eventsPerSecond, shards, events, payload, billing.records(), billing.putCalls(), fewestCalls,
                (double) billing.putCalls() / fewestCalls, billing.putPayloadUnits(), idealUnits,
                (double) billing.putPayloadUnits() / idealUnits, floorUnits,
                (double) billing.putPayloadUnits() / floorUnits, sorted[events / 2] / 1_000_000,
                sorted[events - 1] / 1_000_000));
        assertThat(receipts.get()).as("receipts completed").isEqualTo(events);
        assertThat((double) billing.putPayloadUnits() / floorUnits).as("units / floor units").isLessThanOrEqualTo(1.10);
        assertThat((double) billing.putCalls() / fewestCalls).as("calls / fewest calls").isLessThanOrEqualTo(1.05);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
