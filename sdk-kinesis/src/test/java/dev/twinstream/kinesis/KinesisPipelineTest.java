package dev.twinstream.kinesis;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinstream.core.EventRejectedException;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.PartitionKeys;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.testkit.VirtualScheduler;
import dev.twinstream.testkit.kinesis.Billing;
import dev.twinstream.testkit.kinesis.FakeKinesis;
import dev.twinstream.testkit.kinesis.StoredEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tracker -> KinesisSink -> FakeKinesis on virtual time, with conservation asserted every time. */
class KinesisPipelineTest {

    /** Seed 001's event: user, session, type and properties. */
    record UserEvent(String userId, String sessionId, String eventType, String page, int seq) {
        static UserEvent number(int seq) {
            return new UserEvent("user-" + (seq % 997), "session-" + (seq % 131), seq % 3 == 0 ? "add_to_cart" : "page_view",
                    "/products/" + seq + "?ref=search&campaign=winter-sale", seq);
        }
    }

    static final EventType<UserEvent> BY_USER = EventType.builder(UserEvent.class, "user_event")
            .partitionKey(PartitionKeys.md5Hex(UserEvent::userId, UserEvent::eventType))
            .build();

    static final String STREAM = "clickstream";
    static final ObjectMapper JSON = new ObjectMapper();

    final VirtualScheduler time = new VirtualScheduler();

    EventTracker tracker(KinesisSink sink) {
        return EventTracker.builder().register(BY_USER).sink("kinesis", sink, SinkOptions.defaults())
                .clock(time.clock()).scheduler(time).random(new Random(5)).build();
    }

    KinesisSink.Builder sink(FakeKinesis kinesis) {
        return KinesisSink.builder(kinesis, STREAM).clock(time.clock()).scheduler(time);
    }

    void drain(EventTracker tracker, Duration max) {
        boolean idle = time.advanceUntil(() -> tracker.metrics().sinks().values().stream()
                .allMatch(m -> m.pendingRecords() == 0), max);
        assertThat(idle).as("idle within %s: %s", max, tracker.metrics()).isTrue();
        time.runPending();
    }

    static Map<String, Integer> eventIdCounts(FakeKinesis kinesis) {
        Map<String, Integer> counts = new HashMap<>();
        for (StoredEvent e : kinesis.events(STREAM)) {
            counts.merge(eventId(e), 1, Integer::sum);
        }
        return counts;
    }

    static String eventId(StoredEvent e) {
        try {
            JsonNode node = JSON.readTree(e.data());
            return node.get("eventId").asText();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Test
    void aFlushSendsTheRecordsTheSinkHoldsOpenInsteadOfWaitingOutItsBufferingTime() {
        FakeKinesis kinesis = FakeKinesis.builder().scheduler(time).build().createStream(STREAM, 4);
        KinesisSink sink = sink(kinesis).maxBufferedTime(Duration.ofSeconds(30)).build();
        try (EventTracker tracker = tracker(sink)) {
            for (int i = 0; i < 100; i++) {
                tracker.track(UserEvent.number(i));
            }
            java.util.concurrent.CompletableFuture<Boolean> flushed = tracker.flushAsync(Duration.ofMinutes(1));
            // Without Sink.sendHeld the open records would wait 30 s; the flush needs no time to pass.
            time.runPending();
            assertThat(flushed).isCompletedWithValue(true);
            assertThat(tracker.metrics()).isConserved().hasNothingPending().hasOutcomes("kinesis", 100, 0, 0);
            assertThat(kinesis).stream(STREAM).hasReceivedEvents(100).hasNoDuplicatePayloads()
                    .hasEveryEventOnItsPartitionKeysShard();
            assertThat(kinesis.billing(STREAM).records()).as("one record per shard").isEqualTo(4);
        }
    }

    @Test
    void everyEventArrivesOnceOnItsShardDespitePartialFailuresAndThrottling() {
        FakeKinesis kinesis = FakeKinesis.builder().scheduler(time).seed(11).enforceThroughput(true).build()
                .createStream(STREAM, 4);
        kinesis.latency(Duration.ofMillis(40)).failFraction(0.05, "InternalFailure").throttleFraction(0.05);
        try (EventTracker tracker = tracker(sink(kinesis).build())) {
            for (int i = 0; i < 20_000; i++) {
                tracker.track(UserEvent.number(i));
            }
            drain(tracker, Duration.ofMinutes(10));

            SinkMetrics m = tracker.metrics().sinks().get("kinesis");
            assertThat(tracker.metrics()).isConserved().hasNothingPending();
            assertThat(m.delivered()).isEqualTo(20_000);
            assertThat(m.retried()).as("injected failures were retried").isPositive();
            assertThat(kinesis).stream(STREAM).hasReceivedEvents(20_000).hasNoDuplicatePayloads()
                    .hasEveryEventOnItsPartitionKeysShard().hasEvenShardDistribution(1.3);
            // Aggregation: far fewer Kinesis records (and PUT payload units) than events.
            Billing billing = kinesis.billing(STREAM);
            assertThat(billing.records()).isLessThan(20_000 / 20);
            assertThat(billing.putPayloadUnits()).isLessThan(20_000 / 20);
        }
    }

    @Test
    void withoutAggregationEveryEventIsOneKinesisRecord() {
        FakeKinesis kinesis = FakeKinesis.builder().scheduler(time).seed(12).build().createStream(STREAM, 2);
        try (EventTracker tracker = tracker(sink(kinesis).aggregation(false).build())) {
            for (int i = 0; i < 3000; i++) {
                tracker.track(UserEvent.number(i));
            }
            drain(tracker, Duration.ofMinutes(1));
            assertThat(tracker.metrics()).isConserved().hasNothingPending();
            assertThat(kinesis).stream(STREAM).hasReceivedEvents(3000).hasEveryEventOnItsPartitionKeysShard();
            assertThat(kinesis.billing(STREAM).records()).isEqualTo(3000);
            assertThat(kinesis.events(STREAM)).noneMatch(StoredEvent::aggregated);
        }
    }

    @Test
    void rateLimitingAvoidsThrottlingThatUnlimitedSendingRunsInto() {
        // 1 shard, 6,000 events of ~250 bytes sent as fast as the tracker can: ~1.5 MB, 1.5 s of budget.
        FakeKinesis limited = FakeKinesis.builder().scheduler(time).enforceThroughput(true).build().createStream(STREAM, 1);
        try (EventTracker tracker = tracker(sink(limited).aggregation(false).build())) {
            for (int i = 0; i < 6000; i++) {
                tracker.track(UserEvent.number(i));
            }
            drain(tracker, Duration.ofMinutes(2));
            assertThat(tracker.metrics()).isConserved();
            assertThat(tracker.metrics().sinks().get("kinesis").retried()).as("retries with rate limiting").isZero();
            assertThat(limited).stream(STREAM).hasReceivedEvents(6000);
            assertThat(time.clock().elapsed()).as("paced at 1,000 records/s").isGreaterThan(Duration.ofSeconds(5));
        }

        FakeKinesis unlimited = FakeKinesis.builder().scheduler(time).enforceThroughput(true).build().createStream(STREAM, 1);
        try (EventTracker tracker = tracker(sink(unlimited).aggregation(false).rateLimiting(false).build())) {
            for (int i = 0; i < 6000; i++) {
                tracker.track(UserEvent.number(i));
            }
            drain(tracker, Duration.ofMinutes(10));
            assertThat(tracker.metrics()).isConserved();
            assertThat(tracker.metrics().sinks().get("kinesis").retried()).as("retries without rate limiting").isPositive();
            assertThat(unlimited).stream(STREAM).hasReceivedEvents(6000);
        }
    }

    @Test
    void reshardingIsDetectedAndEveryEventStillReachesItsShard() {
        FakeKinesis kinesis = FakeKinesis.builder().scheduler(time).seed(13).build().createStream(STREAM, 2);
        kinesis.latency(Duration.ofMillis(20));
        try (EventTracker tracker = tracker(sink(kinesis).build())) {
            for (int i = 0; i < 2000; i++) {
                tracker.track(UserEvent.number(i));
            }
            drain(tracker, Duration.ofMinutes(1));
            kinesis.reshard(STREAM, 5); // the sink's cached map (2 shards) is now stale
            for (int i = 2000; i < 6000; i++) {
                tracker.track(UserEvent.number(i));
            }
            drain(tracker, Duration.ofMinutes(5));

            assertThat(tracker.metrics()).isConserved().hasNothingPending();
            assertThat(tracker.metrics().sinks().get("kinesis").deadLettered()).isZero();
            // Records placed on a wrong child shard before the map reload were sent again, so every
            // event has at least one copy on the shard its own key hashes to.
            Set<String> onRightShard = new HashSet<>();
            List<StoredEvent> events = kinesis.events(STREAM);
            int misplaced = 0;
            for (StoredEvent e : events) {
                java.math.BigInteger[] range = kinesis.hashKeyRange(STREAM, e.shardId());
                java.math.BigInteger h = dev.twinstream.kinesis.internal.HashKeys.hashKey(e.partitionKey());
                if (h.compareTo(range[0]) >= 0 && h.compareTo(range[1]) <= 0) {
                    onRightShard.add(eventId(e));
                } else {
                    misplaced++;
                }
            }
            assertThat(misplaced).as("events misplaced by the stale map (then re-sent)").isPositive();
            assertThat(onRightShard).hasSize(6000);
            assertThat(kinesis.eventsPerShard(STREAM)).hasSize(7); // 2 closed parents + 5 children
        }
    }

    @Test
    void partitionKeysLongerThan256CharactersAreRejectedAtTrack() {
        EventType<UserEvent> longKeys = EventType.builder(UserEvent.class, "user_event")
                .partitionKey(e -> "k".repeat(257)).build();
        FakeKinesis kinesis = FakeKinesis.builder().scheduler(time).build().createStream(STREAM, 1);
        try (EventTracker tracker = EventTracker.builder().register(longKeys).sink("kinesis", sink(kinesis).build())
                .clock(time.clock()).scheduler(time).build()) {
            assertThatThrownBy(() -> tracker.track(UserEvent.number(1)))
                    .isInstanceOf(EventRejectedException.class).hasMessageContaining("256");
            assertThat(tracker.metrics()).isConserved();
        }
    }

    @Test
    void permanentErrorsAreDeadLettered() {
        FakeKinesis kinesis = FakeKinesis.builder().scheduler(time).build().createStream(STREAM, 1);
        kinesis.failNextCalls(1, "AccessDeniedException");
        try (EventTracker tracker = tracker(sink(kinesis).build())) {
            for (int i = 0; i < 10; i++) {
                tracker.track(UserEvent.number(i));
            }
            drain(tracker, Duration.ofMinutes(1));
            assertThat(tracker.metrics()).isConserved();
            assertThat(tracker.metrics().sinks().get("kinesis").deadLettered()).isEqualTo(10);
            assertThat(tracker.deadLetterStore().snapshot()).allSatisfy(d -> assertThat(d.errorCode()).isEqualTo("AccessDeniedException"));
        }
    }
}
