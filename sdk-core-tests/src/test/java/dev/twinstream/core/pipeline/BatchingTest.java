package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.testkit.InMemorySink;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Batches are sent when full or when their oldest event lingered long enough, within every limit. */
class BatchingTest {

    @Test
    void aPartialBatchWaitsForTheLingerAndAFullBatchGoesAtOnce() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build();
        try (EventTracker tracker = f.tracker(1)
                .sink("s", sink, SinkOptions.defaults().linger(Duration.ofMillis(200)).maxBatchRecords(100))
                .build()) {
            for (int i = 0; i < 10; i++) {
                tracker.track(PipelineFixture.PageView.number(i));
            }
            f.time.advance(Duration.ofMillis(199));
            assertThat(sink.callCount()).as("still lingering").isZero();
            f.time.advance(Duration.ofMillis(1));
            assertThat(sink.callCount()).isEqualTo(1);
            assertThat(sink.calls().get(0).recordCount()).isEqualTo(10);

            for (int i = 0; i < 250; i++) {
                tracker.track(PipelineFixture.PageView.number(i));
            }
            f.time.runPending();
            assertThat(sink.calls()).as("two full batches without waiting").hasSize(3)
                    .extracting(c -> c.recordCount()).containsExactly(10, 100, 100);
            f.drain(tracker, Duration.ofSeconds(1));
            assertThat(sink.calls()).extracting(c -> c.recordCount()).containsExactly(10, 100, 100, 50);
            assertThat(tracker.metrics().sink("s").meanBatchRecords()).isEqualTo(65.0);
            assertThat(tracker.metrics()).hasNothingPending();
        }
    }

    /**
     * Under traffic the dispatcher polls once per linger instead of being woken by each sink's first
     * unread record; an event that arrives between polls must still go exactly at its own linger end.
     */
    @Test
    void anEventArrivingBetweenPollsStillGoesAtItsOwnLingerEnd() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build();
        try (EventTracker tracker = f.tracker(1)
                .sink("s", sink, SinkOptions.defaults().linger(Duration.ofMillis(10)).maxBatchRecords(5))
                .build()) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 5; i++) {
                    tracker.track(PipelineFixture.PageView.number(i)); // a full batch: sent at once
                }
                f.time.runPending();
                f.time.advance(Duration.ofMillis(3 + round * 4)); // 3, 7 and 11 ms into the poll period
                int callsBefore = sink.callCount();
                tracker.track(PipelineFixture.PageView.number(99));
                f.time.advance(Duration.ofMillis(9));
                assertThat(sink.callCount()).as("round %d: still lingering", round).isEqualTo(callsBefore);
                f.time.advance(Duration.ofMillis(1));
                assertThat(sink.callCount()).as("round %d: sent at its linger end", round).isEqualTo(callsBefore + 1);
                assertThat(sink.calls().get(callsBefore).recordCount()).isEqualTo(1);
            }
            f.drain(tracker, Duration.ofSeconds(1));
            assertThat(tracker.metrics()).isConserved().hasNothingPending();
            assertThat(f.time.runUntilIdle(Duration.ofSeconds(1))).as("a quiet tracker stops polling").isTrue();
        }
    }

    /**
     * While full batches keep coming, the dispatcher looks again within one millisecond instead of
     * being woken (an unpark on the appender's thread) for each; when traffic stops it goes back to
     * being woken, and a full batch then goes at once.
     */
    @Test
    void underSustainedTrafficFullBatchesWaitForThePollInsteadOfWakingTheDispatcher() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build();
        try (EventTracker tracker = f.tracker(1)
                .sink("s", sink, SinkOptions.defaults().linger(Duration.ofMillis(100)).maxBatchRecords(10))
                .build()) {
            trackBatch(tracker);
            assertThat(f.time.pendingTaskCount()).as("a full batch wakes an idle dispatcher").isEqualTo(1);
            f.time.runPending();
            assertThat(sink.callCount()).isEqualTo(1);

            for (int round = 2; round <= 4; round++) {
                trackBatch(tracker);
                assertThat(f.time.pendingTaskCount()).as("round %d: no wake-up, a poll is due", round).isZero();
                f.time.advance(Duration.ofNanos(999_999));
                assertThat(sink.callCount()).as("round %d: waiting for the poll", round).isEqualTo(round - 1);
                f.time.advance(Duration.ofNanos(1));
                assertThat(sink.callCount()).as("round %d: sent at the poll, 1 ms later", round).isEqualTo(round);
            }

            f.time.advance(Duration.ofMillis(1)); // a poll that finds no full batch: traffic has stopped
            trackBatch(tracker);
            assertThat(f.time.pendingTaskCount()).as("woken again once traffic stopped").isEqualTo(1);
            f.time.runPending();
            assertThat(sink.callCount()).isEqualTo(5);
            assertThat(tracker.metrics()).isConserved().hasNothingPending();
        }
    }

    /** A sink that cannot send (every call in flight) must not make the dispatcher poll meanwhile. */
    @Test
    void aSinkWithEveryCallInFlightDoesNotMakeTheDispatcherPoll() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build().latency(Duration.ofSeconds(10));
        try (EventTracker tracker = f.tracker(1)
                .sink("s", sink, SinkOptions.defaults().linger(Duration.ofMillis(5)).maxBatchRecords(10)
                        .maxInFlightRequests(1))
                .build()) {
            for (int i = 0; i < 5; i++) {
                trackBatch(tracker);
            }
            f.time.runPending();
            assertThat(sink.callCount()).isEqualTo(1);
            int tasks = f.time.advance(Duration.ofSeconds(9));
            assertThat(tasks).as("tasks run in 9 s while the only call is in flight (1 ms polls would be ~9,000)")
                    .isLessThan(10);
            f.drain(tracker, Duration.ofMinutes(1));
            assertThat(tracker.metrics()).isConserved().hasNothingPending().hasOutcomes("s", 50, 0, 0);
        }
    }

    private static void trackBatch(EventTracker tracker) {
        for (int i = 0; i < 10; i++) {
            tracker.track(PipelineFixture.PageView.number(i));
        }
    }

    @Test
    void batchesRespectTheByteLimitAndInFlightCallsAreBounded() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build().latency(Duration.ofSeconds(1));
        long maxBatchBytes = 10_000;
        try (EventTracker tracker = f.tracker(1)
                .sink("s", sink, SinkOptions.defaults().maxBatchBytes(maxBatchBytes).maxInFlightRequests(3))
                .build()) {
            for (int i = 0; i < 2_000; i++) {
                tracker.track(PipelineFixture.PageView.number(i));
            }
            f.time.runPending();
            assertThat(sink.inFlightCount()).isEqualTo(3);
            assertThat(tracker.metrics().sink("s").inFlightRequests()).isEqualTo(3);
            f.drain(tracker, Duration.ofMinutes(5));
            assertThat(sink).hasReceivedEvents(2_000).neverExceededItsLimits();
            assertThat(sink.maxBytesInOneCall()).isLessThanOrEqualTo(maxBatchBytes).isGreaterThan(maxBatchBytes - 400);
            assertThat(sink.calls()).allSatisfy(c -> assertThat(c.byteCount()).isLessThanOrEqualTo(maxBatchBytes));
        }
    }

    @Test
    void flushSendsPartialBatchesWithoutWaitingForTheLinger() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build();
        try (EventTracker tracker = f.tracker(1)
                .sink("s", sink, SinkOptions.defaults().linger(Duration.ofSeconds(30)))
                .build()) {
            tracker.track(PipelineFixture.PageView.number(1));
            var flushed = tracker.flushAsync(Duration.ofSeconds(5));
            f.time.runPending();
            assertThat(flushed).isCompletedWithValue(true);
            assertThat(sink).hasReceivedEvents(1);
            assertThat(f.time.clock().elapsed()).isZero();
        }
    }

    /**
     * The default linger is the sink's declared latency budget ({@code SinkLimits.defaultLinger()});
     * a linger set in the options overrides it.
     */
    @Test
    void theDefaultLingerIsTheSinksOwnLatencyBudgetUnlessTheOptionsSetOne() {
        PipelineFixture f = new PipelineFixture();
        dev.twinstream.core.spi.SinkLimits slow = InMemorySink.DEFAULT_LIMITS.withDefaultLinger(Duration.ofSeconds(5));
        InMemorySink byDefault = InMemorySink.builder().scheduler(f.time).limits(slow).build();
        InMemorySink overridden = InMemorySink.builder().scheduler(f.time).limits(slow).build();
        InMemorySink plain = InMemorySink.builder().scheduler(f.time).build();
        assertThat(SinkOptions.defaults().linger()).isEqualTo(SinkOptions.SINK_DEFAULT_LINGER);
        assertThat(plain.limits().defaultLinger()).isEqualTo(SinkOptions.DEFAULT_LINGER);
        try (EventTracker tracker = f.tracker(1)
                .sink("default", byDefault, SinkOptions.defaults())
                .sink("overridden", overridden, SinkOptions.defaults().linger(Duration.ofMillis(300)))
                .sink("plain", plain, SinkOptions.defaults())
                .build()) {
            tracker.track(PipelineFixture.PageView.number(1));
            f.time.advance(SinkOptions.DEFAULT_LINGER);
            assertThat(plain.callCount()).as("100 ms for a sink without a budget of its own").isEqualTo(1);
            assertThat(overridden.callCount()).isZero();
            f.time.advance(Duration.ofMillis(200));
            assertThat(overridden.callCount()).as("the options' 300 ms").isEqualTo(1);
            f.time.advance(Duration.ofMillis(4_699));
            assertThat(byDefault.callCount()).as("still within the sink's 5 s").isZero();
            f.time.advance(Duration.ofMillis(1));
            assertThat(byDefault.callCount()).isEqualTo(1);
            assertThat(tracker.metrics()).hasNothingPending();
        }
    }
}
