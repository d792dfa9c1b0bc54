package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.DeliveryLedger;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.Journal;
import dev.twinstream.core.LedgerBucket;
import dev.twinstream.core.LedgerComparison;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import dev.twinstream.testkit.InMemorySink;
import dev.twinstream.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery ledger through the public API: one count per event and sink in the UTC hour it
 * occurred in, under the destination the sink reported, whatever the retries and lost responses; kept
 * across restarts by the disk journal; old hours dropped; comparable with what a destination holds.
 */
class LedgerPipelineTest {
    private static final RecordResult THROTTLED = RecordResult.retryable("ThrottlingException", "slow down");

    @TempDir
    Path dir;

    /** What a destination holds, as a ledger: every event the listener saw delivered, by its reported destination. */
    private static final class Delivered implements DeliveryListener {
        final Map<String, DeliveryLedger.Builder> bySink = new ConcurrentHashMap<>();
        final Map<String, String> destinationOf = new ConcurrentHashMap<>();

        @Override
        public void onDelivered(String sink, TrackedEvent event) {
            String destination = destinationOf.getOrDefault(sink + "/" + event.eventId(), sink);
            bySink.computeIfAbsent(sink, k -> DeliveryLedger.builder())
                    .add(destination, event.eventType(), Instant.ofEpochMilli(event.occurredAtMillis()), event.eventId());
        }

        DeliveryLedger ledger(String sink) {
            DeliveryLedger.Builder b = bySink.get(sink);
            return b == null ? DeliveryLedger.empty() : b.build();
        }
    }

    @Test
    void eachEventCountsOnceInTheUtcHourItOccurredInWithTheSumOfItsIdsTerms() {
        PipelineFixture f = new PipelineFixture(ManualClock.DEFAULT_START.plus(Duration.ofMinutes(59)));
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build();
        Delivered delivered = new Delivered();
        List<String> early = new ArrayList<>();
        List<String> late = new ArrayList<>();
        try (EventTracker tracker = f.tracker(1).sink("backup", sink).listener(delivered).build()) {
            f.time.advance(Duration.ofSeconds(59).plusMillis(999)); // 00:59:59.999
            for (int i = 0; i < 40; i++) {
                early.add(tracker.track(PipelineFixture.PageView.number(i)));
            }
            f.time.advance(Duration.ofMillis(1)); // 01:00:00.000 starts the next bucket
            for (int i = 0; i < 60; i++) {
                late.add(tracker.track(PipelineFixture.PageView.number(40 + i)));
            }
            f.drain(tracker, Duration.ofMinutes(1));

            Instant midnight = ManualClock.DEFAULT_START;
            Instant one = midnight.plus(Duration.ofHours(1));
            assertThat(tracker.ledger("backup").buckets()).containsExactly(
                    LedgerBucket.of("backup", "page_view", midnight, 40, termsOf(early)),
                    LedgerBucket.of("backup", "page_view", one, 60, termsOf(late)));
            assertThat(DeliveryLedger.compare(tracker.ledger("backup"), delivered.ledger("backup")).isClean()).isTrue();
            assertThat(tracker.metrics()).isConserved().hasOutcomes("backup", 100, 0, 0);
        }
    }

    private static long termsOf(List<String> ids) {
        return ids.stream().mapToLong(DeliveryLedger::digestTerm).sum();
    }

    @Test
    void aRoutingSinkCountsEachEventUnderTheDestinationItReportedAndOthersUnderTheSinkName() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink inner = InMemorySink.builder().scheduler(f.time).build();
        RoutingSink routed = new RoutingSink(inner);
        InMemorySink plain = InMemorySink.builder().scheduler(f.time).build();
        Delivered delivered = new Delivered();
        routed.destinations = delivered.destinationOf;
        try (EventTracker tracker = f.tracker(2).sink("backup", routed).sink("realtime", plain).listener(delivered).build()) {
            for (int i = 0; i < 300; i++) {
                tracker.track(PipelineFixture.PageView.number(i));
            }
            f.drain(tracker, Duration.ofMinutes(1));

            DeliveryLedger backup = tracker.ledger("backup");
            assertThat(backup.buckets()).extracting(LedgerBucket::destination).containsExactly("stream-even", "stream-odd");
            assertThat(backup.totalCount()).isEqualTo(300);
            assertThat(DeliveryLedger.compare(backup, delivered.ledger("backup")).isClean()).isTrue();
            DeliveryLedger realtime = tracker.ledger("realtime");
            assertThat(realtime.buckets()).extracting(LedgerBucket::destination).containsExactly("realtime");
            // The two sinks got the same events: per type and hour they agree once destinations are merged.
            assertThat(DeliveryLedger.compare(backup.mergeDestinations("all"), realtime.mergeDestinations("all")).isClean())
                    .isTrue();
            assertThat(tracker.metrics()).isConserved().hasNothingPending();
        }
    }

    @Test
    void retriesAndResendsAfterLostResponsesCountEachEventOnce() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink flaky = InMemorySink.builder().seed(3).scheduler(f.time).build()
                .failNextCalls(3, THROTTLED).failFraction(0.3, THROTTLED);
        InMemorySink stored = InMemorySink.builder().seed(4).scheduler(f.time).build();
        LostResponses lossy = new LostResponses(stored, 3); // every third call: stored, then "timed out"
        List<String> tracked = new ArrayList<>();
        SinkOptions options = SinkOptions.defaults().maxBatchRecords(50);
        try (EventTracker tracker = f.tracker(5).sink("flaky", flaky, options).sink("lossy", lossy, options).build()) {
            for (int i = 0; i < 1_000; i++) {
                tracked.add(tracker.track(PipelineFixture.PageView.number(i)));
            }
            f.drain(tracker, Duration.ofMinutes(10));

            assertThat(stored.receivedCount()).as("the destination holds duplicates").isGreaterThan(1_000);
            assertThat(tracker.metrics().sink("flaky").retried()).isPositive();
            for (String sink : List.of("flaky", "lossy")) {
                DeliveryLedger ledger = tracker.ledger(sink);
                assertThat(ledger.totalCount()).as(sink).isEqualTo(1_000);
                assertThat(ledger.buckets()).singleElement().extracting(LedgerBucket::digest).isEqualTo(termsOf(tracked));
            }
            // The destination's own ledger, from the ids it holds (duplicates and all), agrees.
            DeliveryLedger.Builder held = DeliveryLedger.builder();
            for (var r : stored.received()) {
                held.add("lossy", r.eventType(), ManualClock.DEFAULT_START, r.eventId());
            }
            assertThat(DeliveryLedger.compare(tracker.ledger("lossy"), held.build()).isClean()).isTrue();
            assertThat(tracker.metrics()).isConserved().hasOutcomes("flaky", 1_000, 0, 0).hasOutcomes("lossy", 1_000, 0, 0);
        }
    }

    @Test
    void aDiskJournalKeepsTheLedgerAcrossRestartsAndTheReplayedBacklogCountsOnce() {
        Journal journal = Journal.disk(dir.resolve("journal")).segmentBytes(256 * 1024)
                .overflow(OverflowPolicy.block(Duration.ZERO));
        List<String> tracked = new ArrayList<>();
        PipelineFixture first = new PipelineFixture();
        InMemorySink realtime = InMemorySink.builder().scheduler(first.time).build();
        // Delivers part of the backlog, some retried, then goes down with the rest pending.
        InMemorySink backup = InMemorySink.builder().seed(6).scheduler(first.time).build().failFraction(0.4, THROTTLED);
        DeliveryLedger realtimeBefore;
        long backupBefore;
        try (EventTracker tracker = first.tracker(7).sink("realtime", realtime).sink("backup", backup)
                .journal(journal).closeTimeout(Duration.ofMillis(300)).build()) {
            for (int i = 0; i < 600; i++) {
                tracked.add(tracker.track(PipelineFixture.PageView.number(i)));
            }
            first.time.advance(Duration.ofMillis(1_500));
            backup.downFor(Duration.ofHours(1));
            first.time.advance(Duration.ofSeconds(5));
            realtimeBefore = tracker.ledger("realtime");
            backupBefore = tracker.ledger("backup").totalCount();
            assertThat(realtimeBefore.totalCount()).isEqualTo(600);
            assertThat(backupBefore).isEqualTo(backup.receivedCount()).isBetween(1L, 599L);
            assertThat(tracker.metrics()).isConserved();
        }

        PipelineFixture second = new PipelineFixture(ManualClock.DEFAULT_START.plusSeconds(30));
        InMemorySink realtime2 = InMemorySink.builder().scheduler(second.time).build();
        InMemorySink backup2 = InMemorySink.builder().scheduler(second.time).build();
        try (EventTracker tracker = second.tracker(8).sink("realtime", realtime2).sink("backup", backup2)
                .journal(journal).build()) {
            assertThat(tracker.ledger("realtime")).as("restored").isEqualTo(realtimeBefore);
            // Persisted: what was delivered below the backup's checkpointed position. Deliveries after an
            // event still being retried were not: the journal sends them again, and they count then.
            long restored = tracker.ledger("backup").totalCount();
            assertThat(restored).isBetween(1L, backupBefore);
            second.drain(tracker, Duration.ofMinutes(1));
            assertThat(realtime2.receivedCount()).as("nothing re-sent to the sink that had it all").isZero();
            assertThat(backup2.receivedCount()).as("re-sent: exactly what the restored ledger lacks").isEqualTo(600 - restored);
            assertThat(tracker.ledger("realtime")).isEqualTo(realtimeBefore);
            assertThat(tracker.ledger("backup").buckets()).singleElement()
                    .isEqualTo(LedgerBucket.of("backup", "page_view", ManualClock.DEFAULT_START, 600, termsOf(tracked)));
            LedgerComparison twoSinks = DeliveryLedger.compare(tracker.ledger("realtime").mergeDestinations("all"),
                    tracker.ledger("backup").mergeDestinations("all"));
            assertThat(twoSinks.isClean()).as("%s", twoSinks).isTrue();
            assertThat(tracker.metrics()).isConserved().hasNothingPending();
        }

        PipelineFixture third = new PipelineFixture(ManualClock.DEFAULT_START.plusSeconds(60));
        try (EventTracker tracker = third.tracker(9).sink("realtime", InMemorySink.builder().scheduler(third.time).build())
                .sink("backup", InMemorySink.builder().scheduler(third.time).build()).journal(journal).build()) {
            assertThat(tracker.ledger("backup").totalCount()).isEqualTo(600);
            assertThat(tracker.ledger("realtime")).isEqualTo(realtimeBefore);
        }
    }

    @Test
    void hoursOlderThanTheRetentionAreDroppedAndTheirLateDeliveriesNotCounted() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build();
        try (EventTracker tracker = f.tracker(10).sink("backup", sink).ledgerRetention(Duration.ofHours(2)).build()) {
            for (int i = 0; i < 10; i++) {
                tracker.track(PipelineFixture.PageView.number(i)); // hour 00
            }
            f.drain(tracker, Duration.ofMinutes(1));
            sink.downFor(Duration.ofHours(3));
            for (int i = 0; i < 5; i++) {
                tracker.track(PipelineFixture.PageView.number(10 + i)); // hour 00, delivered after 03:00
            }
            f.time.advance(Duration.ofHours(2).plusMinutes(30));
            for (int i = 0; i < 7; i++) {
                tracker.track(PipelineFixture.PageView.number(20 + i)); // hour 02
            }
            f.time.advance(Duration.ofMinutes(31)); // 03:01: hour 00 ended 2 h 1 min ago
            f.drain(tracker, Duration.ofHours(1));
            Instant two = ManualClock.DEFAULT_START.plus(Duration.ofHours(2));
            assertThat(tracker.ledger("backup").buckets()).extracting(LedgerBucket::hour, LedgerBucket::count)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(two, 7L));
            assertThat(sink.receivedCount()).isEqualTo(22);
            assertThat(tracker.metrics()).isConserved().hasOutcomes("backup", 22, 0, 0);
        }
    }

    @Test
    void aZeroRetentionKeepsNoLedgerAndBadArgumentsAreRefused() {
        PipelineFixture f = new PipelineFixture();
        try (EventTracker tracker = f.tracker(11).sink("backup", InMemorySink.builder().scheduler(f.time).build())
                .ledgerRetention(Duration.ZERO).build()) {
            tracker.track(PipelineFixture.PageView.number(1));
            f.drain(tracker, Duration.ofMinutes(1));
            assertThat(tracker.ledger("backup")).isEqualTo(DeliveryLedger.empty());
            assertThatThrownBy(() -> tracker.ledger("nope")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the tracker has no sink 'nope' (sinks: [backup])");
        }
        assertThatThrownBy(() -> f.tracker(12).sink("backup", InMemorySink.create()).ledgerRetention(Duration.ofMinutes(30))
                .build()).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("ledgerRetention must be between PT1H and PT9600H but was PT30M");
    }

    /** Reports each delivered event at "stream-even" or "stream-odd" by its user's number, as a routing sink would. */
    private static final class RoutingSink implements Sink {
        private static final RecordResult EVEN = RecordResult.ok("stream-even");
        private static final RecordResult ODD = RecordResult.ok("stream-odd");
        private final InMemorySink inner;
        Map<String, String> destinations;

        RoutingSink(InMemorySink inner) {
            this.inner = inner;
        }

        @Override
        public SinkLimits limits() {
            return inner.limits();
        }

        @Override
        public CompletionStage<BatchResult> send(SinkBatch batch) {
            List<RecordResult> routed = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                boolean even = Integer.parseInt(batch.partitionKey(i).substring("user-".length())) % 2 == 0;
                routed.add(even ? EVEN : ODD);
                destinations.put("backup/" + batch.eventId(i), even ? "stream-even" : "stream-odd");
            }
            return inner.send(batch).thenApply(result -> {
                List<RecordResult> out = new ArrayList<>();
                for (int i = 0; i < result.size(); i++) {
                    out.add(result.get(i).isOk() ? routed.get(i) : result.get(i));
                }
                return BatchResult.of(out);
            });
        }
    }

    /** Every {@code n}-th call reaches the destination, which stores it, but its response is lost: RETRYABLE. */
    private static final class LostResponses implements Sink {
        private final InMemorySink inner;
        private final int n;
        private final AtomicInteger calls = new AtomicInteger();

        LostResponses(InMemorySink inner, int n) {
            this.inner = inner;
            this.n = n;
        }

        @Override
        public SinkLimits limits() {
            return inner.limits();
        }

        @Override
        public CompletionStage<BatchResult> send(SinkBatch batch) {
            boolean lose = calls.incrementAndGet() % n == 0;
            int size = batch.size();
            return inner.send(batch).thenApply(result -> lose
                    ? BatchResult.allFailed(size, RecordResult.retryable("RequestTimeout", "the response was lost"))
                    : result);
        }
    }
}
