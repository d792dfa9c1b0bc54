package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DeliveryFailedException;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.testkit.InMemorySink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeadLetterAndReceiptTest {

    @Test
    void permanentFailuresDeadLetterWithTheirCodeAndCanBeReplayedIntoTheSameSink() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink realtime = InMemorySink.builder().scheduler(f.time).build();
        InMemorySink backup = InMemorySink.builder().scheduler(f.time).build()
                .failFraction(1.0, RecordResult.permanent("InvalidKMSResourceException", "KMS key is disabled"));
        List<String> dead = new CopyOnWriteArrayList<>();
        try (EventTracker tracker = f.tracker(1)
                .sink("realtime", realtime)
                .sink("backup", backup)
                .listener(new DeliveryListener() {
                    @Override
                    public void onDeadLettered(String sink, DeadLetter deadLetter) {
                        dead.add(sink + ":" + deadLetter.eventId() + ":" + deadLetter.errorCode());
                    }
                })
                .build()) {
            String id = tracker.track(PipelineFixture.PageView.number(1));
            f.drain(tracker, Duration.ofMinutes(1));

            assertThat(dead).containsExactly("backup:" + id + ":InvalidKMSResourceException");
            List<DeadLetter> letters = tracker.deadLetterStore().drain();
            assertThat(letters).singleElement().satisfies(dl -> {
                assertThat(dl.reason()).isEqualTo(DeadLetter.Reason.PERMANENT_ERROR);
                assertThat(dl.errorMessage()).isEqualTo("KMS key is disabled");
                assertThat(dl.attempts()).isEqualTo(1);
                assertThat(dl.routingKey()).isEqualTo("books");
            });
            assertThat(tracker.metrics()).hasOutcomes("realtime", 1, 0, 0).hasOutcomes("backup", 0, 1, 0);

            backup.failFraction(0, RecordResult.permanent("InvalidKMSResourceException", "unused")); // the operator fixed the key
            assertThat(tracker.replay(letters)).isEqualTo(1);
            f.drain(tracker, Duration.ofMinutes(1));

            assertThat(backup).hasReceivedEventIdsExactly(List.of(id));
            assertThat(backup.received().get(0).payload()).isEqualTo(letters.get(0).payload());
            assertThat(backup.received().get(0).routingKey()).as("routing key kept by the replay").isEqualTo("books");
            assertThat(realtime).as("replay goes to the dead letter's sink only").hasReceivedEvents(1);
            assertThat(tracker.metrics()).hasNothingPending().hasOutcomes("backup", 1, 1, 0);
            assertThat(tracker.metrics().sink("backup").accepted()).isEqualTo(2);
        }
    }

    @Test
    void replayRefusesADeadLetterForAnUnknownSink() {
        PipelineFixture f = new PipelineFixture();
        InMemorySink sink = InMemorySink.builder().scheduler(f.time).build()
                .failFraction(1.0, RecordResult.permanent("ResourceNotFoundException", "no such stream"));
        DeadLetter letter;
        try (EventTracker first = f.tracker(1).sink("old-name", sink).build()) {
            first.track(PipelineFixture.PageView.number(1));
            f.drain(first, Duration.ofMinutes(1));
            letter = first.deadLetterStore().snapshot().get(0);
        }
        try (EventTracker second = f.tracker(1).sink("new-name", InMemorySink.create()).build()) {
            assertThatThrownBy(() -> second.replay(List.of(letter)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("dead letter " + letter.eventId() + " names sink 'old-name', which this tracker does not have (sinks: [new-name])");
        }
    }

    @Test
    void receiptsCompleteWhenEverySinkDeliveredOrFailWithTheFailingSink() throws Exception {
        PipelineFixture f = new PipelineFixture();
        InMemorySink ok = InMemorySink.builder().scheduler(f.time).build();
        InMemorySink flaky = InMemorySink.builder().scheduler(f.time).build()
                .failNextCalls(2, RecordResult.retryable("ServiceUnavailableException", "busy"));
        try (EventTracker tracker = f.tracker(2).sink("a", ok).sink("b", flaky).build()) {
            CompletableFuture<TrackedEvent> delivered = tracker.trackWithReceipt(PipelineFixture.PageView.number(1));
            f.time.advance(Duration.ofMillis(150));
            assertThat(delivered).as("sink b is still retrying").isNotDone();
            f.drain(tracker, Duration.ofMinutes(1));
            assertThat(delivered).isCompleted();
            assertThat(delivered.get().eventType()).isEqualTo("page_view");

            flaky.failFraction(1.0, RecordResult.permanent("InvalidArgumentException", "record too large"));
            CompletableFuture<TrackedEvent> failed = tracker.trackWithReceipt(PipelineFixture.PageView.number(2));
            f.drain(tracker, Duration.ofMinutes(1));
            assertThatThrownBy(() -> failed.get(1, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DeliveryFailedException.class)
                    .hasMessageContaining("not delivered to sink 'b': dead-lettered (PERMANENT_ERROR, InvalidArgumentException: record too large)")
                    .satisfies(e -> assertThat(((DeliveryFailedException) e).sink()).isEqualTo("b"));
            assertThat(ok).hasReceivedEvents(2);
        }
    }
}
