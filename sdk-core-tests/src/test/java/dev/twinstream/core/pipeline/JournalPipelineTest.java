package dev.twinstream.core.pipeline;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.Journal;
import dev.twinstream.core.JournalRecovery;
import dev.twinstream.core.OverflowPolicy;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.testkit.InMemorySink;
import dev.twinstream.testkit.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pipeline (tracker → two {@link InMemorySink}s on virtual time) behaves the same over the
 * memory and the disk journal; and what only the disk journal does: a restart resumes each sink
 * where it was, with the original event ids, and {@code trackDurable}.
 */
class JournalPipelineTest {
    @TempDir
    Path dir;

    private Journal journal(String kind) {
        Journal base = kind.equals("disk") ? Journal.disk(dir.resolve("journal")).segmentBytes(256 * 1024) : Journal.memory();
        return base.maxBytes(8L * 1024 * 1024).overflow(OverflowPolicy.block(Duration.ZERO));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void bothSinksGetEveryEventOnceWhileOneIsDownForAWhile(String kind) {
        PipelineFixture f = new PipelineFixture();
        InMemorySink realtime = InMemorySink.builder().seed(1).scheduler(f.time).build().latency(Duration.ofMillis(20));
        InMemorySink backup = InMemorySink.builder().seed(2).scheduler(f.time).build().downFor(Duration.ofSeconds(30));
        List<String> tracked = new ArrayList<>();
        try (EventTracker tracker = f.tracker(11).sink("realtime", realtime).sink("backup", backup)
                .journal(journal(kind)).closeTimeout(Duration.ofSeconds(1)).build()) {
            for (int second = 0; second < 60; second++) {
                for (int i = 0; i < 50; i++) {
                    tracked.add(tracker.track(PipelineFixture.PageView.number(tracked.size())));
                }
                f.time.advance(Duration.ofSeconds(1));
                assertThat(tracker.metrics()).isConserved();
            }
            f.drain(tracker, Duration.ofMinutes(5));
            assertThat(realtime).hasReceivedEventIdsExactly(tracked).hasNoDuplicateEventIds();
            assertThat(backup).hasReceivedEventIdsExactly(tracked).hasNoDuplicateEventIds();
            assertThat(tracker.metrics()).hasNothingPending().hasOutcomes("realtime", tracked.size(), 0, 0)
                    .hasOutcomes("backup", tracked.size(), 0, 0);
            // A memory journal holds nothing; a disk journal deletes every segment but the one it writes,
            // once its writer checkpointed (every 10 ms of the clock, on its own thread): await it, bounded.
            long bound = kind.equals("memory") ? 0 : 256 * 1024 + 64 * 1024;
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (tracker.metrics().journalBytes() > bound && System.nanoTime() < deadline) {
                f.time.advance(Duration.ofMillis(10));
                Thread.yield();
            }
            assertThat(tracker.metrics().journalBytes()).isLessThanOrEqualTo(bound);
            if (kind.equals("disk")) {
                // What the journal counts is what its files take: every sealed segment it deleted (about
                // 30 here) gave back its trailer too, or the journal would think itself fuller with every seal.
                while (tracker.metrics().journalBytes() != segmentFileBytes() && System.nanoTime() < deadline) {
                    Thread.yield(); // the writer deletes a released segment's file just after releasing it
                }
                assertThat(tracker.metrics().journalBytes()).isEqualTo(segmentFileBytes());
            }
        }
    }

    private long segmentFileBytes() {
        try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("segment-")).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aRestartResumesEachSinkWhereItWasAndDoesNotResendTheBacklogToTheOther() {
        List<String> tracked = new ArrayList<>();
        PipelineFixture first = new PipelineFixture();
        InMemorySink realtime = InMemorySink.builder().seed(3).scheduler(first.time).build();
        InMemorySink backup = InMemorySink.builder().seed(4).scheduler(first.time).build().downFor(Duration.ofHours(1));
        try (EventTracker tracker = first.tracker(12).sink("realtime", realtime).sink("backup", backup)
                .journal(journal("disk")).closeTimeout(Duration.ofMillis(300)).build()) {
            for (int i = 0; i < 500; i++) {
                tracked.add(tracker.track(PipelineFixture.PageView.number(i)));
            }
            first.time.advance(Duration.ofSeconds(5));
            assertThat(tracker.metrics().sink("realtime").delivered()).isEqualTo(500);
            assertThat(tracker.metrics().sink("backup").delivered()).isZero();
        }
        assertThat(realtime).hasReceivedEventIdsExactly(tracked);

        PipelineFixture second = new PipelineFixture();
        InMemorySink realtime2 = InMemorySink.builder().seed(5).scheduler(second.time).build();
        InMemorySink backup2 = InMemorySink.builder().seed(6).scheduler(second.time).build();
        AtomicReference<JournalRecovery> reported = new AtomicReference<>();
        try (EventTracker tracker = second.tracker(13).sink("realtime", realtime2).sink("backup", backup2)
                .journal(journal("disk")).listener(new DeliveryListener() {
                    @Override
                    public void onJournalRecovered(JournalRecovery recovery) {
                        reported.set(recovery);
                    }
                }).build()) {
            TrackerMetrics recovered = tracker.metrics();
            assertThat(recovered.sink("backup").accepted()).as("the backlog counts as accepted again").isEqualTo(500);
            assertThat(recovered.sink("realtime").accepted()).isZero();
            assertThat(recovered.journalRecovery().recordsReplayed()).isEqualTo(500);
            second.drain(tracker, Duration.ofMinutes(1));
            assertThat(reported.get()).isNotNull();
            assertThat(reported.get().hasDamage()).isFalse();
            assertThat(backup2).hasReceivedEventIdsExactly(tracked).hasNoDuplicateEventIds();
            assertThat(realtime2.receivedCount()).as("nothing re-sent to the sink that had it all").isZero();
            assertThat(tracker.metrics()).isConserved().hasNothingPending();
        }
    }

    @Test
    void aRecoveredEventKeepsItsAgeSoTheDeliveryTimeoutCountsFromTheOriginalTrack() {
        RetryPolicy retry = RetryPolicy.defaults().deliveryTimeout(Duration.ofMinutes(10));
        List<String> old = new ArrayList<>();
        List<String> young = new ArrayList<>();
        PipelineFixture first = new PipelineFixture();
        InMemorySink down = InMemorySink.builder().seed(7).scheduler(first.time).build().downFor(Duration.ofHours(1));
        try (EventTracker tracker = first.tracker(18).sink("backup", down).retry(retry)
                .journal(journal("disk")).closeTimeout(Duration.ofMillis(300)).build()) {
            for (int i = 0; i < 100; i++) {
                old.add(tracker.track(PipelineFixture.PageView.number(i)));
            }
            first.time.advance(Duration.ofMinutes(8));
            for (int i = 0; i < 100; i++) {
                young.add(tracker.track(PipelineFixture.PageView.number(100 + i)));
            }
            first.time.advance(Duration.ofSeconds(1));
            assertThat(tracker.metrics()).hasOutcomes("backup", 0, 0, 0);
        }

        // Restarted 15 minutes after the first events were tracked: they are past the 10-minute
        // timeout, the later ones (7 minutes old) are not.
        PipelineFixture second = new PipelineFixture(ManualClock.DEFAULT_START.plus(Duration.ofMinutes(15)));
        InMemorySink up = InMemorySink.builder().seed(8).scheduler(second.time).build();
        try (EventTracker tracker = second.tracker(19).sink("backup", up).retry(retry).journal(journal("disk")).build()) {
            assertThat(tracker.metrics().sink("backup").oldestPendingAge())
                    .as("the pending age counts from the original track(), not from the restart")
                    .isBetween(Duration.ofMinutes(15), Duration.ofMinutes(15).plusSeconds(1));
            second.drain(tracker, Duration.ofMinutes(1));
            assertThat(up).hasReceivedEventIdsExactly(young).hasNoDuplicateEventIds();
            assertThat(tracker.deadLetterStore().snapshot()).extracting(DeadLetter::eventId).containsExactlyElementsOf(old);
            assertThat(tracker.deadLetterStore().snapshot()).extracting(DeadLetter::reason)
                    .containsOnly(DeadLetter.Reason.DELIVERY_TIMEOUT);
            assertThat(tracker.metrics()).isConserved().hasNothingPending().hasOutcomes("backup", 100, 100, 0);
        }
    }

    @Test
    void aClockThatWentBackwardsAcrossARestartCountsAsNoAgeAndLosesNothing() {
        List<String> tracked = new ArrayList<>();
        PipelineFixture first = new PipelineFixture(ManualClock.DEFAULT_START.plus(Duration.ofHours(2)));
        InMemorySink down = InMemorySink.builder().seed(9).scheduler(first.time).build().downFor(Duration.ofHours(1));
        try (EventTracker tracker = first.tracker(20).sink("backup", down)
                .journal(journal("disk")).closeTimeout(Duration.ofMillis(300)).build()) {
            for (int i = 0; i < 50; i++) {
                tracked.add(tracker.track(PipelineFixture.PageView.number(i)));
            }
            first.time.advance(Duration.ofSeconds(1));
        }
        PipelineFixture second = new PipelineFixture(); // two hours earlier by the wall clock
        InMemorySink up = InMemorySink.builder().seed(10).scheduler(second.time).build();
        try (EventTracker tracker = second.tracker(21).sink("backup", up)
                .retry(RetryPolicy.defaults().deliveryTimeout(Duration.ofMinutes(1))).journal(journal("disk")).build()) {
            assertThat(tracker.metrics().sink("backup").oldestPendingAge()).isZero();
            second.drain(tracker, Duration.ofMinutes(1));
            assertThat(up).hasReceivedEventIdsExactly(tracked);
            assertThat(tracker.metrics()).isConserved().hasOutcomes("backup", 50, 0, 0);
        }
    }

    @Test
    void trackDurableReturnsOnceTheEventIsForcedAndTheMemoryJournalRefusesIt() {
        PipelineFixture f = new PipelineFixture();
        try (EventTracker tracker = f.tracker(14).sink("realtime", InMemorySink.builder().scheduler(f.time).build())
                .journal(journal("disk").fsync(FsyncPolicy.always())).build()) {
            for (int i = 0; i < 20; i++) {
                tracker.trackDurable(PipelineFixture.PageView.number(i));
            }
            assertThat(tracker.metrics().durableRecords()).isEqualTo(20);
            assertThat(tracker.metrics().journalForces()).as("one force per trackDurable when they come one by one")
                    .isEqualTo(20);
            assertThat(tracker.metrics().journalForcedBytes()).as("header and 20 frames of > 100 bytes")
                    .isGreaterThan(20 * 100);
            f.drain(tracker, Duration.ofMinutes(1));
            assertThat(tracker.metrics()).isConserved().hasOutcomes("realtime", 20, 0, 0);
        }
        PipelineFixture m = new PipelineFixture();
        try (EventTracker tracker = m.tracker(15).sink("realtime", InMemorySink.builder().scheduler(m.time).build()).build()) {
            assertThatThrownBy(() -> tracker.trackDurable(PipelineFixture.PageView.number(1)))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("disk journal");
        }
    }

    @Test
    void aSecondTrackerOnTheSameDirectoryAndBadDiskSettingsFailAtBuild() {
        PipelineFixture f = new PipelineFixture();
        try (EventTracker tracker = f.tracker(16).sink("s", InMemorySink.create()).journal(journal("disk")).build()) {
            assertThat(tracker).isNotNull();
            assertThatThrownBy(() -> f.tracker(17).sink("s", InMemorySink.create()).journal(journal("disk")).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("is in use by another tracker");
        }
        assertThatThrownBy(() -> f.tracker(18).sink("s", InMemorySink.create())
                .journal(Journal.disk(dir.resolve("other")).segmentBytes(10).fsync(FsyncPolicy.interval(Duration.ZERO))
                        .perSinkQuotaBytes(1))
                .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("journal.segmentBytes must be between 65536 and 1073741824 but was 10")
                .hasMessageContaining("journal.fsync.interval must be between PT0.001S and PT1H but was PT0S")
                .hasMessageContaining("journal.perSinkQuotaBytes must be between 65536 and 67108864 but was 1");
        assertThatThrownBy(() -> f.tracker(19).sink("s", InMemorySink.create())
                .journal(Journal.memory().fsync(FsyncPolicy.always())).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("journal.fsync: only a disk journal");
    }
}
