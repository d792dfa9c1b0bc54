package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.DropReason;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.Journal;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.testkit.InMemorySink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One sink down for ten virtual minutes must not hold up the other, and memory stays bounded. */
class TwoSinksIsolationTest {
    private static final int EVENTS_PER_SECOND = 100;
    private static final int OUTAGE_SECONDS = 600;

    @Test
    void theHealthySinkKeepsDeliveringAndTheDownSinkCatchesUpAfterRecovery() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink healthy = InMemorySink.builder().seed(1).scheduler(f.time).build().latency(Duration.ofMillis(30));
        InMemorySink down = InMemorySink.builder().seed(2).scheduler(f.time).build().latency(Duration.ofMillis(30))
                .downFor(Duration.ofSeconds(OUTAGE_SECONDS));
        long maxBytes = 32L * 1024 * 1024;
        List<String> tracked = new ArrayList<>();
        try (EventTracker tracker = f.tracker(7)
                .sink("realtime", healthy)
                .sink("backup", down)
                .retry(RetryPolicy.defaults().maxDelay(Duration.ofSeconds(5)))
                // BLOCK with no wait: if the down sink ever held up track(), this test would see BufferFullException.
                .journal(Journal.memory().maxBytes(maxBytes).overflow(OverflowPolicy.block(Duration.ZERO)))
                .build()) {
            for (int second = 0; second < OUTAGE_SECONDS; second++) {
                for (int i = 0; i < EVENTS_PER_SECOND; i++) {
                    tracked.add(tracker.track(PipelineFixture.PageView.number(tracked.size())));
                }
                f.time.advance(Duration.ofSeconds(1));
                TrackerMetrics m = tracker.metrics();
                assertThat(m).isConserved();
                assertThat(m.journalBytes()).isLessThanOrEqualTo(maxBytes);
                // The healthy sink is never more than one linger + one call behind.
                assertThat(m.sink("realtime").delivered()).isEqualTo(tracked.size());
                assertThat(m.sink("backup").delivered()).isZero();
                assertThat(m.sink("backup").inFlightRequests()).isLessThanOrEqualTo(4);
            }
            SinkMetrics backupDuringOutage = tracker.metrics().sink("backup");
            assertThat(backupDuringOutage.pendingRecords()).isEqualTo(tracked.size());
            assertThat(backupDuringOutage.retried()).isPositive();
            assertThat(backupDuringOutage.oldestPendingAge()).isGreaterThanOrEqualTo(Duration.ofSeconds(OUTAGE_SECONDS - 1));

            f.drain(tracker, Duration.ofMinutes(10));
            assertThat(healthy).hasReceivedEventIdsExactly(tracked).hasNoDuplicateEventIds();
            assertThat(down).hasReceivedEventIdsExactly(tracked).hasNoDuplicateEventIds().neverExceededItsLimits();
            assertThat(healthy.sentRecordCount()).as("the backlog was not re-sent to the healthy sink").isEqualTo(tracked.size());
            assertThat(tracker.metrics()).hasNothingPending()
                    .hasOutcomes("realtime", tracked.size(), 0, 0)
                    .hasOutcomes("backup", tracked.size(), 0, 0);
            assertThat(tracker.metrics().journalBytes()).isZero();
        }
    }

    @Test
    void withDropOldestTheDownSinkLosesOnlyTheOldestCountedEventsAndTheHealthySinkNothing() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink healthy = InMemorySink.builder().seed(3).scheduler(f.time).build();
        InMemorySink down = InMemorySink.builder().seed(4).scheduler(f.time).build().downFor(Duration.ofSeconds(120));
        long maxBytes = 256 * 1024;
        List<String> tracked = new ArrayList<>();
        try (EventTracker tracker = f.tracker(8)
                .sink("realtime", healthy)
                .sink("backup", down)
                .journal(Journal.memory().maxBytes(maxBytes).overflow(OverflowPolicy.dropOldest()))
                .build()) {
            for (int second = 0; second < 120; second++) {
                for (int i = 0; i < EVENTS_PER_SECOND; i++) {
                    tracked.add(tracker.track(PipelineFixture.PageView.number(tracked.size())));
                }
                f.time.advance(Duration.ofSeconds(1));
                assertThat(tracker.metrics()).isConserved();
                assertThat(tracker.metrics().journalBytes()).isLessThanOrEqualTo(maxBytes);
            }
            f.drain(tracker, Duration.ofMinutes(10));

            TrackerMetrics m = tracker.metrics();
            assertThat(m).hasNothingPending().hasOutcomes("realtime", tracked.size(), 0, 0);
            SinkMetrics backup = m.sink("backup");
            long lost = backup.droppedByReason().get(DropReason.OVERFLOW_DROP_OLDEST);
            assertThat(lost).isPositive();
            assertThat(backup.delivered() + lost).isEqualTo(tracked.size());
            assertThat(healthy).hasReceivedEventIdsExactly(tracked);
            // The backup got exactly the newest events: the oldest ones, including those it was
            // retrying when they were evicted, are the ones counted as dropped.
            Set<String> got = new HashSet<>(down.receivedEventIds());
            assertThat(got).hasSize((int) backup.delivered())
                    .isEqualTo(new HashSet<>(tracked.subList((int) lost, tracked.size())));
        }
    }
}
