package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import dev.twinstream.testkit.InMemorySink;
import dev.twinstream.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Backoff on virtual time: grows, is capped, jitter stays in bounds, and the budget dead-letters. */
class RetryTimingTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int FAILED_ATTEMPTS = 7;

    /** Fails every record's first {@code failures} attempts; remembers when each attempt was sent. */
    static final class FlakySink implements Sink {
        final int failures;
        final ManualClock clock;
        final Map<String, List<Long>> sendTimes = new ConcurrentHashMap<>();

        FlakySink(int failures, ManualClock clock) {
            this.failures = failures;
            this.clock = clock;
        }

        @Override
        public SinkLimits limits() {
            return SinkLimits.of(500, 4 * 1024 * 1024, 1024 * 1000);
        }

        @Override
        public CompletionStage<BatchResult> send(SinkBatch batch) {
            List<RecordResult> results = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                List<Long> times = sendTimes.computeIfAbsent(batch.eventId(i), k -> new ArrayList<>());
                times.add(clock.nanoTime());
                assertThat(batch.attempt(i)).isEqualTo(times.size());
                results.add(batch.attempt(i) <= failures
                        ? RecordResult.retryable("ProvisionedThroughputExceededException", "Rate exceeded for shard")
                        : RecordResult.ok());
            }
            return CompletableFuture.completedFuture(BatchResult.of(results));
        }
    }

    @Test
    void backoffGrowsIsCappedAndJitterStaysWithinItsBounds() {
        PipelineFixture f = new PipelineFixture();
        FlakySink sink = new FlakySink(FAILED_ATTEMPTS, f.time.clock());
        Map<Integer, List<Long>> backoffsByAttempt = new HashMap<>();
        Map<String, List<Long>> backoffsByEvent = new HashMap<>();
        DeliveryListener listener = new DeliveryListener() {
            @Override
            public void onRetried(String s, TrackedEvent event, int nextAttempt, long backoffMillis, RecordResult cause) {
                assertThat(cause.code()).isEqualTo("ProvisionedThroughputExceededException");
                backoffsByAttempt.computeIfAbsent(nextAttempt - 1, k -> new ArrayList<>()).add(backoffMillis);
                backoffsByEvent.computeIfAbsent(event.eventId(), k -> new ArrayList<>()).add(backoffMillis);
            }
        };
        int events = 1_000;
        try (EventTracker tracker = f.tracker(99)
                .sink("kinesis", sink, SinkOptions.defaults().linger(Duration.ZERO).maxInFlightRequests(64))
                .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1)))
                .listener(listener)
                .build()) {
            for (int i = 0; i < events; i++) {
                tracker.track(PipelineFixture.PageView.number(i));
            }
            f.drain(tracker, Duration.ofMinutes(5));
            assertThat(tracker.metrics()).hasNothingPending().hasOutcomes("kinesis", events, 0, 0);
            assertThat(tracker.metrics().sink("kinesis").retried()).isEqualTo((long) events * FAILED_ATTEMPTS);
        }

        long[] ceilingMillis = {100, 200, 400, 800, 1_000, 1_000, 1_000};
        for (int failed = 1; failed <= FAILED_ATTEMPTS; failed++) {
            List<Long> delays = backoffsByAttempt.get(failed);
            long ceiling = ceilingMillis[failed - 1];
            assertThat(delays).hasSize(events);
            assertThat(delays).allSatisfy(d -> assertThat(d).isBetween(0L, ceiling));
            double mean = delays.stream().mapToLong(Long::longValue).average().orElseThrow();
            assertThat(mean).as("full jitter averages half the ceiling after %d failures", failed)
                    .isBetween(ceiling * 0.4, ceiling * 0.6);
            assertThat(delays.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(ceiling * 9 / 10);
        }
        // On virtual time each resend happens exactly when its backoff ends.
        for (Map.Entry<String, List<Long>> e : sink.sendTimes.entrySet()) {
            List<Long> times = e.getValue();
            List<Long> backoffs = backoffsByEvent.get(e.getKey());
            assertThat(times).hasSize(FAILED_ATTEMPTS + 1);
            for (int i = 1; i < times.size(); i++) {
                assertThat((times.get(i) - times.get(i - 1)) / MS).isEqualTo(backoffs.get(i - 1));
            }
        }
    }

    @Test
    void theDeliveryTimeoutDeadLettersWithTheLastErrorCode() {
        PipelineFixture f = new PipelineFixture();
        FlakySink sink = new FlakySink(Integer.MAX_VALUE, f.time.clock());
        long start = f.time.clock().nanoTime();
        try (EventTracker tracker = f.tracker(5)
                .sink("kinesis", sink, SinkOptions.defaults().linger(Duration.ZERO))
                .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(200)).maxDelay(Duration.ofSeconds(2))
                        .deliveryTimeout(Duration.ofSeconds(10)))
                .build()) {
            String id = tracker.track(PipelineFixture.PageView.number(1));
            f.drain(tracker, Duration.ofMinutes(1));

            List<DeadLetter> letters = tracker.deadLetterStore().snapshot();
            assertThat(letters).singleElement().satisfies(dl -> {
                assertThat(dl.eventId()).isEqualTo(id);
                assertThat(dl.sink()).isEqualTo("kinesis");
                assertThat(dl.reason()).isEqualTo(DeadLetter.Reason.DELIVERY_TIMEOUT);
                assertThat(dl.errorCode()).isEqualTo("ProvisionedThroughputExceededException");
                assertThat(dl.attempts()).isEqualTo(sink.sendTimes.get(id).size()).isGreaterThan(3);
                assertThat(dl.payloadAsString()).contains("\"eventId\":\"" + id + "\"");
            });
            List<Long> times = sink.sendTimes.get(id);
            assertThat(times.get(times.size() - 1) - start).as("no attempt after the timeout").isLessThan(10_000 * MS);
            assertThat(f.time.clock().nanoTime() - start).as("dead-lettered within one backoff after the timeout")
                    .isBetween(10_000 * MS, 12_000 * MS);
            assertThat(tracker.metrics()).hasNothingPending().hasOutcomes("kinesis", 0, 1, 0);
        }
    }

    @Test
    void recordsThatExpireBeforeTheirFirstSendAreDeadLetteredAndTheRestOfTheSameReadIsSent() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build();
        try (EventTracker tracker = f.tracker(8)
                .sink("s", sink, SinkOptions.defaults().maxBatchRecords(4).linger(Duration.ofSeconds(30))
                        .retry(RetryPolicy.defaults().deliveryTimeout(Duration.ofSeconds(10))))
                .build()) {
            String old1 = tracker.track(PipelineFixture.PageView.number(1));
            String old2 = tracker.track(PipelineFixture.PageView.number(2));
            f.time.advance(Duration.ofSeconds(11)); // still lingering, and now past the delivery timeout
            assertThat(sink.callCount()).isZero();
            String new1 = tracker.track(PipelineFixture.PageView.number(3));
            String new2 = tracker.track(PipelineFixture.PageView.number(4)); // a full batch of 4 is read
            f.drain(tracker, Duration.ofMinutes(1));

            assertThat(sink.receivedEventIds()).containsExactly(new1, new2);
            assertThat(sink.calls()).singleElement().satisfies(call -> assertThat(call.recordCount()).isEqualTo(2));
            assertThat(sink.limitViolations()).as("the batch's byte count matches what it holds").isZero();
            assertThat(tracker.deadLetterStore().snapshot()).extracting(DeadLetter::eventId).containsExactly(old1, old2);
            assertThat(tracker.deadLetterStore().snapshot()).allSatisfy(dl -> {
                assertThat(dl.reason()).isEqualTo(DeadLetter.Reason.DELIVERY_TIMEOUT);
                assertThat(dl.attempts()).isZero();
            });
            assertThat(tracker.metrics()).hasNothingPending().hasOutcomes("s", 2, 2, 0).isConserved();
        }
    }

    @Test
    void maxAttemptsDeadLettersAfterExactlyThatManySends() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build()
                .failFraction(1.0, RecordResult.retryable("InternalFailure", "try again"));
        try (EventTracker tracker = f.tracker(6)
                .sink("s", sink, SinkOptions.defaults().retry(RetryPolicy.defaults().maxAttempts(3)))
                .build()) {
            tracker.track(PipelineFixture.PageView.number(1));
            f.drain(tracker, Duration.ofMinutes(1));
            assertThat(sink.sentRecordCount()).isEqualTo(3);
            assertThat(tracker.deadLetterStore().snapshot()).singleElement().satisfies(dl -> {
                assertThat(dl.reason()).isEqualTo(DeadLetter.Reason.MAX_ATTEMPTS);
                assertThat(dl.attempts()).isEqualTo(3);
                assertThat(dl.errorCode()).isEqualTo("InternalFailure");
                assertThat(dl.errorMessage()).isEqualTo("try again");
            });
            assertThat(tracker.metrics()).hasOutcomes("s", 0, 1, 0).isConserved();
        }
    }
}
