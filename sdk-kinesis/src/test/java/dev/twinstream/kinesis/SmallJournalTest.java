package dev.twinstream.kinesis;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.EventTracker;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.kinesis.KinesisPipelineTest.UserEvent;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A 2 MiB memory journal under the Kinesis sink's defaults (5 MiB batches, 250 ms linger, records
 * held open up to 500 ms): at 20,000 events/s the journal holds ~0.2 s of events, less than one
 * linger, so it used to fill while the batch lingered and drop what came next. A batch now goes once
 * its records cost a quarter of the journal, and the records the sink holds open fill from the next
 * batch. Virtual time, a metered 8-shard stream, DROP_NEWEST (a regression shows as drops).
 */
class SmallJournalTest {
    private static final String STREAM = "clickstream";
    private static final int EVENTS_PER_MILLISECOND = 20;
    private static final int EVENTS = 100_000;

    @Test
    void aJournalSmallerThanOneLingerDropsNothingAndKeepsTheBudget() {
        VirtualScheduler time = new VirtualScheduler();
        FakeKinesis kinesis = FakeKinesis.builder().scheduler(time).seed(37).enforceThroughput(true).build()
                .createStream(STREAM, 8);
        KinesisSink sink = KinesisSink.builder(kinesis, STREAM).clock(time.clock()).scheduler(time).build();
        long[] ageNanos = new long[EVENTS];
        AtomicInteger receipts = new AtomicInteger();
        try (EventTracker tracker = EventTracker.builder().register(KinesisPipelineTest.BY_USER)
                .journal(Journal.memory().maxBytes(2L << 20).overflow(OverflowPolicy.dropNewest()))
                .sink("kinesis", sink, SinkOptions.defaults())
                .clock(time.clock()).scheduler(time).random(new Random(7)).build()) {
            for (int i = 0; i < EVENTS; ) {
                for (int k = 0; k < EVENTS_PER_MILLISECOND && i < EVENTS; k++) {
                    int n = i++;
                    long trackedAt = time.clock().nanoTime();
                    tracker.trackWithReceipt(UserEvent.number(n)).thenRun(() -> {
                        ageNanos[n] = time.clock().nanoTime() - trackedAt;
                        receipts.incrementAndGet();
                    });
                }
                time.advance(Duration.ofMillis(1));
            }
            boolean idle = time.advanceUntil(() -> tracker.metrics().sink("kinesis").pendingRecords() == 0,
                    Duration.ofMinutes(1));
            assertThat(idle).as("idle: %s", tracker.metrics()).isTrue();
            time.runPending();
            assertThat(tracker.metrics()).isConserved().hasNothingPending().hasOutcomes("kinesis", EVENTS, 0, 0);
            assertThat(tracker.metrics().sink("kinesis").retried()).as("throttled and retried").isZero();
        }
        assertThat(kinesis).stream(STREAM).hasReceivedEvents(EVENTS).hasNoDuplicatePayloads();
        assertThat(receipts.get()).as("receipts completed").isEqualTo(EVENTS);
        long[] sorted = ageNanos.clone();
        Arrays.sort(sorted);
        assertThat(Duration.ofNanos(sorted[EVENTS - 1])).as("oldest event age")
                .isLessThanOrEqualTo(KinesisSink.DEFAULT_MAX_BUFFERED_TIME);
    }
}
