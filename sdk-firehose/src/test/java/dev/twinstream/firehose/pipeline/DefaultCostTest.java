package dev.twinstream.firehose.pipeline;

import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.REALTIME;
import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.firehose.pipeline.WriteTwiceFixture.LedgerEvent;
import dev.twinstream.testkit.firehose.FakeFirehose;
import dev.twinstream.testkit.firehose.StreamStats;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Firehose sink's defaults cost (docs/BENCHMARKS.md, "Cost at default settings"): events
 * of about 250 bytes at a steady rate on virtual time, default {@link SinkOptions} (so the sink's
 * 30 s default linger), one delivery stream of the {@link FakeFirehose} with 30 ms latency. Asserts
 * billed bytes within 5 % of the payload, and calls within 5 % of the fewest the latency budget and
 * the request limits allow; logs the figures and the latency the default costs (event age from
 * {@code track} to the completed receipt, on virtual time).
 */
class DefaultCostTest {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultCostTest.class);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The driver's time step: events due within one step are tracked together. */
    private static final long STEP_NANOS = 1_000_000L;

    @ParameterizedTest(name = "{0} events/s")
    @CsvSource({"10, 6000", "100, 60000", "1000, 330000", "100000, 330000"})
    void defaultsBillWithinFivePercentOfThePayload(int eventsPerSecond, int events) {
        WriteTwiceFixture f = new WriteTwiceFixture(23);
        FirehoseSink sink = FirehoseSink.builder(f.firehose).scheduler(f.time).deliveryStream(REALTIME).build();
        long lingerNanos = FirehoseSink.DEFAULT_LINGER.toNanos();
        long[] ageNanos = new long[events];
        long start = f.time.clock().nanoTime();
        try (EventTracker tracker = f.tracker(23).sink("firehose", sink, SinkOptions.defaults()).build()) {
            int next = 0;
            while (next < events) {
                long now = f.time.clock().nanoTime() - start;
                while (next < events && next * NANOS_PER_SECOND / eventsPerSecond <= now) {
                    int i = next++;
                    long trackedAt = f.time.clock().nanoTime();
                    tracker.trackWithReceipt(LedgerEvent.number(i))
                            .thenRun(() -> ageNanos[i] = f.time.clock().nanoTime() - trackedAt);
                }
                long due = next < events ? next * NANOS_PER_SECOND / eventsPerSecond - now : 0;
                f.time.advance(Duration.ofNanos(Math.max(STEP_NANOS, due)));
            }
            f.drain(tracker, Duration.ofMinutes(5));
            assertThat(tracker.metrics()).isConserved().hasNothingPending().hasOutcomes("firehose", events, 0, 0);
        }
        StreamStats stats = f.firehose.stats(REALTIME);
        assertThat(f.firehose).neverExceededItsLimits().hasReceivedLines(REALTIME, events).hasNoDuplicateLines(REALTIME);
        long durationNanos = (events - 1) * NANOS_PER_SECOND / eventsPerSecond;
        long payload = stats.bytes();
        double billedRatio = (double) stats.billedBytes() / payload;
        // The fewest calls: one per linger window over the run (plus the last, partial one), and no
        // fewer than the request limits allow.
        long minCalls = Math.max(durationNanos / lingerNanos + 1,
                Math.max(ceilDiv(payload, FirehoseSink.MAX_BYTES_PER_REQUEST),
                        ceilDiv(events, FirehoseSink.MAX_EVENTS_PER_SEND_WITH_PACKING)));
        double callRatio = (double) stats.putCalls() / minCalls;
        long[] sorted = ageNanos.clone();
        Arrays.sort(sorted);
        LOG.info(String.format(Locale.ROOT,
                "Firehose defaults at %,d events/s: %,d events, %,d payload bytes, %,d records, %,d calls"
                        + " (min %,d, ratio %.3f), %,d billed bytes, billed/payload %.3f,"
                        + " event age p50 %,d ms max %,d ms",
                eventsPerSecond, events, payload, stats.records(), stats.putCalls(), minCalls, callRatio,
                stats.billedBytes(), billedRatio, sorted[events / 2] / 1_000_000, sorted[events - 1] / 1_000_000));
        assertThat(sorted[0]).as("every receipt completed").isPositive();
        assertThat(billedRatio).as("billed / payload bytes").isLessThanOrEqualTo(1.05);
        assertThat(callRatio).as("calls / fewest calls the latency budget allows").isLessThanOrEqualTo(1.05);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
