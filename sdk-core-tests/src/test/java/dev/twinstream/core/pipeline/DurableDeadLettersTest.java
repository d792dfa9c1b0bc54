package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DeadLetterStore;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.Journal;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.testkit.InMemorySink;
import dev.twinstream.testkit.ManualClock;
import dev.twinstream.testkit.ReceivedRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a disk journal the default dead-letter store lives in the journal's directory: dead letters
 * survive a restart, are listed, replayed to the sink once it is healthy, and removed — nothing lost.
 */
class DurableDeadLettersTest {
    @TempDir
    Path dir;

    private Journal journal() {
        return Journal.disk(dir.resolve("journal"));
    }

    private Path deadLetterFile() {
        return dir.resolve("journal").resolve(DeadLetterStore.FILE_NAME);
    }

    /** accepted = delivered + dead-lettered + dropped + pending, for every sink, with the figures named. */
    private static void assertConserved(TrackerMetrics metrics) {
        for (SinkMetrics m : metrics.sinks().values()) {
            assertThat(m.accepted()).as("%s", m).isEqualTo(m.delivered() + m.deadLettered() + m.dropped() + m.pendingRecords());
        }
        assertThat(metrics).isConserved();
    }

    @Test
    void deadLettersSurviveARestartAreReplayedToTheHealedSinkAndStayGoneOnceRemoved() {
        List<String> tracked = new ArrayList<>();
        PipelineFixture first = new PipelineFixture();
        InMemorySink realtime = InMemorySink.builder().seed(1).scheduler(first.time).build();
        InMemorySink backup = InMemorySink.builder().seed(2).scheduler(first.time).build()
                .failFraction(1.0, RecordResult.permanent("InvalidKMSResourceException", "KMS key is disabled"));
        try (EventTracker tracker = first.tracker(41).sink("realtime", realtime).sink("backup", backup)
                .journal(journal()).build()) {
            for (int i = 0; i < 25; i++) {
                tracked.add(tracker.track(PipelineFixture.PageView.number(i)));
            }
            first.drain(tracker, Duration.ofMinutes(1));
            DeadLetterStore store = tracker.deadLetterStore();
            assertThat(store.isPersistent()).as("the default store of a disk journal").isTrue();
            assertThat(store.size()).isEqualTo(25);
            assertThat(store.unpersistedCount()).isZero();
            assertConserved(tracker.metrics());
            assertThat(tracker.metrics()).hasNothingPending().hasOutcomes("realtime", 25, 0, 0).hasOutcomes("backup", 0, 25, 0);
        }
        assertThat(realtime).hasReceivedEventIdsExactly(tracked);
        assertThat(deadLetterFile()).isRegularFile();

        // An hour later the operator fixed the key and restarts the application on the same directory.
        PipelineFixture second = new PipelineFixture(ManualClock.DEFAULT_START.plus(Duration.ofHours(1)));
        InMemorySink realtime2 = InMemorySink.builder().seed(3).scheduler(second.time).build();
        InMemorySink backup2 = InMemorySink.builder().seed(4).scheduler(second.time).build();
        try (EventTracker tracker = second.tracker(42).sink("realtime", realtime2).sink("backup", backup2)
                .journal(journal()).build()) {
            DeadLetterStore store = tracker.deadLetterStore();
            List<DeadLetter> letters = store.snapshot();
            assertThat(letters).extracting(DeadLetter::eventId).containsExactlyElementsOf(tracked);
            assertThat(letters).allSatisfy(dl -> {
                assertThat(dl.sink()).isEqualTo("backup");
                assertThat(dl.eventType()).isEqualTo("page_view");
                assertThat(dl.reason()).isEqualTo(DeadLetter.Reason.PERMANENT_ERROR);
                assertThat(dl.errorCode()).isEqualTo("InvalidKMSResourceException");
                assertThat(dl.errorMessage()).isEqualTo("KMS key is disabled");
                assertThat(dl.attempts()).isEqualTo(1);
                assertThat(dl.routingKey()).isEqualTo("books");
                assertThat(dl.payloadAsString()).contains("\"eventId\":\"" + dl.eventId() + "\"");
            });
            assertThat(tracker.metrics().sink("backup").accepted()).as("nothing pending in the journal").isZero();

            assertThat(tracker.replay(letters)).isEqualTo(25);
            second.drain(tracker, Duration.ofMinutes(1));
            assertThat(backup2).hasReceivedEventIdsExactly(tracked).hasNoDuplicateEventIds();
            assertThat(backup2.received().stream().map(ReceivedRecord::payloadAsString).collect(Collectors.toList()))
                    .as("the original payloads").containsExactlyElementsOf(
                            letters.stream().map(DeadLetter::payloadAsString).collect(Collectors.toList()));
            assertThat(realtime2.receivedCount()).as("the replay goes to the dead letters' sink only").isZero();
            assertConserved(tracker.metrics());
            assertThat(tracker.metrics()).hasNothingPending().hasOutcomes("backup", 25, 0, 0).hasOutcomes("realtime", 0, 0, 0);
            assertThat(tracker.metrics().sink("backup").accepted()).isEqualTo(25);

            assertThat(store.remove(letters)).isEqualTo(25);
            assertThat(store.snapshot()).isEmpty();
            assertThat(store.unpersistedCount()).isZero();
        }

        PipelineFixture third = new PipelineFixture(ManualClock.DEFAULT_START.plus(Duration.ofHours(2)));
        try (EventTracker tracker = third.tracker(43).sink("realtime", InMemorySink.builder().scheduler(third.time).build())
                .sink("backup", InMemorySink.builder().scheduler(third.time).build()).journal(journal()).build()) {
            assertThat(tracker.deadLetterStore().snapshot()).as("still empty after another restart").isEmpty();
            assertConserved(tracker.metrics());
            assertThat(tracker.metrics()).hasNothingPending().hasOutcomes("backup", 0, 0, 0);
        }
    }

    @Test
    void aTrackerRefusedByTheJournalLockLeavesTheFileAloneAndAnUnknownVersionFailsTheBuildNamingIt() throws IOException {
        PipelineFixture f = new PipelineFixture();
        InMemorySink failing = InMemorySink.builder().scheduler(f.time).build()
                .failFraction(1.0, RecordResult.permanent("ResourceNotFoundException", "no such stream"));
        String id;
        try (EventTracker tracker = f.tracker(44).sink("backup", failing).journal(journal()).build()) {
            id = tracker.track(PipelineFixture.PageView.number(1));
            f.drain(tracker, Duration.ofMinutes(1));
            byte[] before = Files.readAllBytes(deadLetterFile());
            assertThatThrownBy(() -> f.tracker(45).sink("backup", InMemorySink.create()).journal(journal()).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("is in use by another tracker");
            assertThat(Files.readAllBytes(deadLetterFile())).isEqualTo(before);
            assertThat(tracker.deadLetterStore().snapshot()).extracting(DeadLetter::eventId).containsExactly(id);
        }

        byte[] original = Files.readAllBytes(deadLetterFile());
        byte[] newer = original.clone();
        newer[5] = 2; // format version 2, which this code does not know
        Files.write(deadLetterFile(), newer);
        assertThatThrownBy(() -> f.tracker(46).sink("backup", InMemorySink.create()).journal(journal()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("deadLetterHandler: cannot open the default dead-letter store in")
                .hasMessageContaining(deadLetterFile().toAbsolutePath() + " has dead-letter format version 2, but this "
                        + "version of Twinstream reads only version 1; the file was left untouched");
        assertThat(Files.readAllBytes(deadLetterFile())).as("never deleted or rewritten").isEqualTo(newer);

        Files.write(deadLetterFile(), original);
        try (EventTracker tracker = f.tracker(47).sink("backup", InMemorySink.create()).journal(journal()).build()) {
            assertThat(tracker.deadLetterStore().snapshot()).as("the failed build released the journal")
                    .extracting(DeadLetter::eventId).containsExactly(id);
        }
    }
}
