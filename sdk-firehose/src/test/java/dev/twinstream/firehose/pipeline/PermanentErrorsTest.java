package dev.twinstream.firehose.pipeline;

import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BACKUP_BOOKS;
import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.BACKUP_DYNAMIC;
import static dev.twinstream.firehose.pipeline.WriteTwiceFixture.REALTIME;
import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.EventRejectedException;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.firehose.pipeline.WriteTwiceFixture.LedgerEvent;
import dev.twinstream.firehose.pipeline.WriteTwiceFixture.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.firehose.model.DeleteDeliveryStreamRequest;

/** Permanent Firehose errors dead-letter with the AWS code and message; an oversized event is rejected at track(). */
class PermanentErrorsTest {

    @ParameterizedTest
    @EnumSource(Transport.class)
    void permanentErrorsDeadLetterWithTheAwsErrorCodeAndMessage(Transport transport) {
        try (WriteTwiceFixture f = new WriteTwiceFixture(1, transport)) {
            permanentErrorsDeadLetterWithTheAwsErrorCodeAndMessageOn(f);
        }
    }

    private static void permanentErrorsDeadLetterWithTheAwsErrorCodeAndMessageOn(WriteTwiceFixture f) {
        // The dynamic backup stream does not exist (deleted): ResourceNotFoundException for the whole call.
        f.firehose.deleteDeliveryStream(DeleteDeliveryStreamRequest.builder().deliveryStreamName(BACKUP_DYNAMIC).build());
        f.time.runPending();
        try (EventTracker tracker = f.tracker(1)
                .sink("realtime", f.realtime(), SinkOptions.defaults().format(WriteTwiceFixture.REDSHIFT))
                .sink("backup", f.backup().build())
                .build()) {
            for (int i = 0; i < 400; i++) {
                tracker.track(LedgerEvent.number(i));
            }
            f.drain(tracker, Duration.ofMinutes(5));

            // 1 in 4 events is "dynamic": those are dead-lettered; the rest of the backup and all of the real-time path deliver.
            assertThat(tracker.metrics()).isConserved().hasNothingPending()
                    .hasOutcomes("backup", 300, 100, 0).hasOutcomes("realtime", 400, 0, 0);
            List<DeadLetter> letters = tracker.deadLetterStore().snapshot();
            assertThat(letters).hasSize(100).allSatisfy(letter -> {
                assertThat(letter.sink()).isEqualTo("backup");
                assertThat(letter.reason()).isEqualTo(DeadLetter.Reason.PERMANENT_ERROR);
                assertThat(letter.attempts()).isEqualTo(1);
                assertThat(letter.errorCode()).isEqualTo("ResourceNotFoundException");
                assertThat(letter.errorMessage()).contains("Firehose " + BACKUP_DYNAMIC + " under account").contains("not found");
                assertThat(letter.routingKey()).isEqualTo("dynamic");
            });
        }
        assertThat(f.firehose).hasReceivedLines(BACKUP_BOOKS, 300).hasReceivedLines(REALTIME, 400);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void perEntryKmsErrorsDeadLetterWithTheirCode(Transport transport) {
        try (WriteTwiceFixture f = new WriteTwiceFixture(2, transport)) {
            perEntryKmsErrorsDeadLetterWithTheirCodeOn(f);
        }
    }

    private static void perEntryKmsErrorsDeadLetterWithTheirCodeOn(WriteTwiceFixture f) {
        f.firehose.failFraction(1.0, "KMS.AccessDeniedException");
        try (EventTracker tracker = f.tracker(2).sink("realtime", f.realtime()).build()) {
            for (int i = 0; i < 50; i++) {
                tracker.track(LedgerEvent.number(i));
            }
            f.drain(tracker, Duration.ofMinutes(5));
            assertThat(tracker.metrics()).isConserved().hasOutcomes("realtime", 0, 50, 0);
            assertThat(tracker.deadLetterStore().snapshot()).hasSize(50).allSatisfy(letter -> {
                assertThat(letter.errorCode()).isEqualTo("KMS.AccessDeniedException");
                assertThat(letter.errorMessage()).contains("(delivery stream " + REALTIME + ")");
                assertThat(letter.payloadAsString()).contains("\"eventType\":\"ledger_event\"");
            });
        }
    }

    record Upload(String userId, String blob) {}

    @Test
    void anEventLargerThanTheFirehoseRecordLimitIsRejectedAtTrack() {
        WriteTwiceFixture f = new WriteTwiceFixture(3);
        EventType<Upload> uploads = EventType.builder(Upload.class, "upload").build();
        try (EventTracker tracker = f.tracker(3).register(uploads).sink("backup", f.backup().build()).build()) {
            assertThatThrownBy(() -> tracker.track(new Upload("u-1", "x".repeat(1_100_000))))
                    .isInstanceOfSatisfying(EventRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(EventRejectedException.Reason.TOO_LARGE))
                    .hasMessageContaining("upload")
                    .hasMessageContaining("sink 'backup'")
                    .hasMessageContaining("1024000 bytes per record");
            // Just under the limit is accepted and delivered as a record of its own.
            String fits = tracker.track(new Upload("u-2", "y".repeat(1_000_000)));
            f.drain(tracker, Duration.ofMinutes(1));
            assertThat(tracker.metrics()).isConserved().hasOutcomes("backup", 1, 0, 0);
            assertThat(f.firehose.lines(BACKUP_DYNAMIC)).singleElement().asString().contains(fits);
        }
    }
}
