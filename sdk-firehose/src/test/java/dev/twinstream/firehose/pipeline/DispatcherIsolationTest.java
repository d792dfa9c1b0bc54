package dev.twinstream.firehose.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.firehose.BlockingFirehose;
import dev.twinstream.firehose.FirehoseSink;
import dev.twinstream.testkit.InMemorySink;
import dev.twinstream.testkit.firehose.FakeFirehose;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Firehose sink whose request building is slow must not delay the tracker's other sinks: the
 * sink builds and sends on its own thread, not on the dispatcher thread they share. Real threads:
 * the client blocks inside {@code putRecordBatch} (where the SDK marshals and signs synchronously)
 * until the test releases it.
 */
class DispatcherIsolationTest {
    /** How long a blocked putRecordBatch may hold its thread at most (the test releases it sooner). */
    private static final Duration SLOW_CALL = Duration.ofSeconds(10);
    /** The in-memory sink's delivery bound while Firehose is blocked: a tenth of the slow call. */
    private static final Duration BOUND = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(10);

    record Click(String id) {}

    private static final EventType<Click> CLICKS = EventType.builder(Click.class, "click").build();

    /** Counts down one latch per event id when the memory sink delivered it. */
    private static final class MemoryDeliveries implements DeliveryListener {
        final Map<String, CountDownLatch> latches = new ConcurrentHashMap<>();

        CountDownLatch latch(String eventId) {
            return latches.computeIfAbsent(eventId, id -> new CountDownLatch(1));
        }

        @Override
        public void onDelivered(String sink, TrackedEvent event) {
            if ("memory".equals(sink)) {
                latch(event.eventId()).countDown();
            }
        }
    }

    @Test
    void anotherSinkKeepsDeliveringWhileFirehoseIsBlockedBuildingARequest() throws Exception {
        FakeFirehose fake = FakeFirehose.builder().build().createStream("clicks");
        BlockingFirehose firehose = new BlockingFirehose(fake, SLOW_CALL);
        InMemorySink memory = InMemorySink.create();
        MemoryDeliveries deliveries = new MemoryDeliveries();
        SinkOptions fast = SinkOptions.defaults().linger(Duration.ofMillis(10));
        EventTracker tracker = EventTracker.builder().register(CLICKS)
                .sink("firehose", FirehoseSink.builder(firehose).deliveryStream("clicks").build(), fast)
                .sink("memory", memory, fast)
                .listener(deliveries)
                .build();
        try {
            tracker.track(new Click("c-0"));
            assertThat(firehose.awaitCalls(1, WAIT)).as("Firehose is inside its first putRecordBatch").isTrue();
            Thread blocked = firehose.callers().get(0);
            assertThat(blocked.getName()).as("built on the sink's own thread, not the dispatcher")
                    .startsWith("twinstream-firehose-");

            for (int round = 1; round <= 5; round++) {
                long start = System.nanoTime();
                String id = tracker.track(new Click("c-" + round));
                boolean delivered = deliveries.latch(id).await(BOUND.toNanos(), TimeUnit.NANOSECONDS);
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(delivered).as("round %d: the memory sink delivered within %s (took %d ms so far) while "
                        + "Firehose was blocked", round, BOUND, tookMillis).isTrue();
                assertThat(firehose.blockedCalls()).as("round %d: Firehose's call is still blocked", round).isEqualTo(1);
            }
            assertThat(memory.receivedCount()).isEqualTo(6);
            assertThat(fake.lines("clicks")).as("nothing reached Firehose yet").isEmpty();

            firehose.release();
            assertThat(tracker.flush(WAIT)).as("everything final once Firehose is released").isTrue();
            assertThat(fake.lines("clicks")).hasSize(6);
            assertThat(firehose.callers()).allSatisfy(t -> assertThat(t).isSameAs(blocked));
            assertThat(tracker.metrics()).isConserved().hasNothingPending()
                    .hasOutcomes("firehose", 6, 0, 0).hasOutcomes("memory", 6, 0, 0);
        } finally {
            firehose.release();
            tracker.close();
        }
        assertThat(tracker.metrics()).isConserved();
    }

    /**
     * The tracker closes while the sink's thread is still blocked with a send behind it: every
     * event is still accounted for (delivered by the memory sink, dropped for Firehose), and close
     * returns without waiting for the blocked call beyond the tracker's own bound.
     */
    @Test
    void closingTheTrackerWhileFirehoseIsBlockedConservesEveryEvent() throws Exception {
        FakeFirehose fake = FakeFirehose.builder().build().createStream("clicks");
        BlockingFirehose firehose = new BlockingFirehose(fake, Duration.ofSeconds(30));
        InMemorySink memory = InMemorySink.create();
        CountDownLatch memoryDelivered = new CountDownLatch(21);
        SinkOptions fast = SinkOptions.defaults().linger(Duration.ofMillis(10));
        EventTracker tracker = EventTracker.builder().register(CLICKS)
                .sink("firehose", FirehoseSink.builder(firehose).deliveryStream("clicks").build(), fast)
                .sink("memory", memory, fast)
                .listener(new DeliveryListener() {
                    @Override
                    public void onDelivered(String sink, TrackedEvent event) {
                        if ("memory".equals(sink)) {
                            memoryDelivered.countDown();
                        }
                    }
                })
                .closeTimeout(Duration.ofMillis(200))
                .build();
        try {
            tracker.track(new Click("c-0"));
            assertThat(firehose.awaitCalls(1, WAIT)).isTrue();
            for (int i = 1; i <= 20; i++) {
                tracker.track(new Click("c-" + i)); // later sends queue behind the blocked one
            }
            assertThat(memoryDelivered.await(WAIT.toNanos(), TimeUnit.NANOSECONDS)).isTrue();
            tracker.close();
            assertThat(firehose.blockedCalls()).as("close() returned while the call was still blocked").isEqualTo(1);
            assertThat(tracker.metrics()).isConserved().hasNothingPending()
                    .hasOutcomes("memory", 21, 0, 0)
                    .hasOutcomes("firehose", 0, 0, 21)
                    .hasDropped("firehose", DropReason.CLOSED_BEFORE_DELIVERY, 21);
        } finally {
            firehose.release();
            tracker.close();
        }
    }
}
