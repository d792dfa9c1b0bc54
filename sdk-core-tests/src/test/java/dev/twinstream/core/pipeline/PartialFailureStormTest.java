package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.SinkLimits;
import dev.twinstream.testkit.InMemorySink;
import dev.twinstream.testkit.ReceivedRecord;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** 30% of records fail retryably for ten virtual minutes; nothing is lost and only failed records are re-sent. */
class PartialFailureStormTest {
    private static final long SEED = 20261122L;
    private static final int EVENTS = 20_000;

    @Test
    void everyEventIsDeliveredOnceAndOnlyFailedRecordsAreResent() {
        PipelineFixture f = new PipelineFixture();
        SinkLimits limits = SinkLimits.of(200, 64 * 1024, 8 * 1024);
        InMemorySink sink = InMemorySink.builder().limits(limits).seed(SEED).scheduler(f.time).build()
                .latency(Duration.ofMillis(40))
                .failFraction(0.30, RecordResult.retryable("ServiceUnavailableException", "Slow down."));
        Set<String> tracked = new HashSet<>();
        try (EventTracker tracker = f.tracker(SEED)
                .sink("storm", sink, SinkOptions.defaults().linger(Duration.ofMillis(50)).maxInFlightRequests(4))
                .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(5)))
                .build()) {
            // 20,000 events spread over ten virtual minutes, checking conservation as we go.
            for (int i = 0; i < EVENTS; i++) {
                tracked.add(tracker.track(PipelineFixture.PageView.number(i)));
                if (i % 20 == 19) {
                    f.time.advance(Duration.ofMillis(600));
                    assertThat(tracker.metrics()).isConserved();
                }
            }
            f.drain(tracker, Duration.ofHours(1));

            assertThat(sink).hasReceivedEvents(EVENTS).hasNoDuplicateEventIds().hasReceivedEventIdsExactly(tracked)
                    .neverExceededItsLimits();
            // Each event was sent exactly as many times as its successful attempt number: nothing that
            // succeeded was sent again, and every failure caused exactly one resend.
            long sends = 0;
            for (ReceivedRecord r : sink.received()) {
                sends += r.attempt();
            }
            assertThat(sink.sentRecordCount()).isEqualTo(sends);
            assertThat(sink.failedRecordCount()).isEqualTo(sends - EVENTS);
            assertThat((double) sink.failedRecordCount() / sink.sentRecordCount()).isBetween(0.28, 0.32);
            assertThat(sink.maxRecordsInOneCall()).isLessThanOrEqualTo(limits.maxRecordsPerBatch());
            assertThat(sink.maxBytesInOneCall()).isLessThanOrEqualTo(limits.maxBytesPerBatch());

            assertThat(tracker.metrics()).hasNothingPending().hasOutcomes("storm", EVENTS, 0, 0);
            assertThat(tracker.metrics().sink("storm").retried()).isEqualTo(sink.failedRecordCount());
        }
    }
}
