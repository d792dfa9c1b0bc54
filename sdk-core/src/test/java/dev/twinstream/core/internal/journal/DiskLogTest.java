package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.Clock;
import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.OverflowPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk journal's own guarantees, driven by hand ({@link DiskLog#syncOnce}) on a {@link FaultyStorage}. */
class DiskLogTest {
    private static final int BOTH = 0b11;

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Clock clock = new NanoClock(nanos);
    private final DiskLogs.RecordingObserver observer = new DiskLogs.RecordingObserver();
    private final List<String> drops = observer.drops;
    private final FaultyStorage storage = new FaultyStorage();

    private DiskLog.Config config(OverflowPolicy policy, FsyncPolicy fsync) {
        DiskLog.Config c = DiskLogs.config(clock, observer, policy, 1 << 20, 2, fsync);
        c.segmentBytes = 4096;
        return c;
    }

    private DiskLog open(DiskLog.Config c) {
        return DiskLog.open(c, storage);
    }

    private static List<String> readAll(EventLog log, int sink) {
        List<LogRecord> out = new ArrayList<>();
        log.read(sink, Integer.MAX_VALUE, Long.MAX_VALUE, out);
        List<String> ids = new ArrayList<>();
        for (LogRecord r : out) {
            ids.add(r.eventId);
        }
        return ids;
    }

    private static List<String> ids(String prefix, int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add(prefix + i);
        }
        return ids;
    }

    @Test
    void afterARestartEachSinkResumesAtItsOwnCheckpointWithTheOriginalIdsAndPayloads() {
        DiskLog.Config c = config(OverflowPolicy.dropNewest(), FsyncPolicy.always());
        DiskLog log = open(c);
        List<LogRecord> appended = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            LogRecord r = DiskLogs.record("r" + i, BOTH, 200);
            r.ledgerTerm = i * 7919L; // not the id's MD5: what comes back must be the frame's, not recomputed
            appended.add(r);
            log.append(r);
        }
        List<LogRecord> out = new ArrayList<>();
        log.read(0, 100, Long.MAX_VALUE, out);
        log.commit(0, EventLog.ALL_READ); // the fast sink delivered everything
        log.read(1, 30, Long.MAX_VALUE, new ArrayList<>());
        log.commit(1, 30); // the lagging sink delivered 30
        assertThat(log.syncOnce(true)).isTrue();
        log.abandon(); // the process dies
        storage.crash();

        DiskLog reopened = open(c);
        assertThat(readAll(reopened, 0)).as("the fast sink gets nothing again").isEmpty();
        List<LogRecord> backlog = new ArrayList<>();
        reopened.read(1, Integer.MAX_VALUE, Long.MAX_VALUE, backlog);
        assertThat(backlog).extracting(r -> r.eventId).containsExactlyElementsOf(ids("r", 30, 100));
        for (LogRecord r : backlog) {
            LogRecord original = appended.get(Integer.parseInt(r.eventId.substring(1)));
            assertThat(r.payloads[0]).isEqualTo(original.payloads[0]);
            assertThat(r.partitionKey).isEqualTo(original.partitionKey);
            assertThat(r.occurredAtMillis).isEqualTo(original.occurredAtMillis);
            assertThat(r.seq).isEqualTo(original.seq);
            assertThat(r.ledgerTerm).isEqualTo(original.ledgerTerm);
        }
        assertThat(reopened.recovery().recordsReplayed()).isEqualTo(70);
        assertThat(EventLogContractTest.peek(reopened, 0).storedRecords).as("sink 0 had committed all").isZero();
        assertThat(EventLogContractTest.peek(reopened, 1).storedRecords).isEqualTo(70);
        assertThat(reopened.recovery().hasDamage()).isFalse();
        // New records continue the numbering after the recovered ones.
        LogRecord next = DiskLogs.record("next", BOTH, 10);
        reopened.append(next);
        assertThat(next.seq).isEqualTo(100);
        assertThat(readAll(reopened, 0)).containsExactly("next");
        reopened.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void aSegmentHeaderLongerThanRecoverysFirstReadOfItOpensWhole() {
        int sinks = 20;
        DiskLog.Config c = DiskLogs.config(clock, observer, OverflowPolicy.dropNewest(), 16 << 20, sinks, FsyncPolicy.always());
        c.segmentBytes = 64 * 1024;
        for (int s = 0; s < sinks; s++) {
            c.sinkNames[s] = "sink-" + s + "-" + "n".repeat(240);
        }
        assertThat(JournalFormat.segmentHeader(0, c.sinkNames, c.slots).length).isGreaterThan(Recovery.HEADER_PROBE_BYTES);
        DiskLog log = open(c);
        for (int i = 0; i < 10; i++) {
            log.append(DiskLogs.record("r" + i, (1 << sinks) - 1, 100));
        }
        assertThat(log.syncOnce(true)).isTrue();
        log.abandon();
        storage.crash();

        DiskLog reopened = open(c);
        assertThat(reopened.recovery().hasDamage()).as("%s", reopened.recovery()).isFalse();
        assertThat(readAll(reopened, sinks - 1)).containsExactlyElementsOf(ids("r", 0, 10));
        reopened.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    /**
     * Frames of every size around a write chunk's ({@link JournalWriter#CHUNK_BYTES}): small ones
     * filling chunks, one just under and two over a chunk, some in one writer cycle, some one per
     * cycle; all come back intact after a crash.
     */
    @Test
    void framesSmallerAndLargerThanAWriteChunkComeBackIntact() {
        DiskLog.Config c = DiskLogs.config(clock, observer, OverflowPolicy.dropNewest(), 16 << 20, 2, FsyncPolicy.always());
        c.segmentBytes = 1 << 20;
        DiskLog log = open(c);
        int chunk = JournalWriter.CHUNK_BYTES;
        int[] sizes = {100, 3000, chunk - 200, 70, chunk + 5000, 10, 3 * chunk, 1, 2000, 2000, 2000, 40_000, 40_000};
        List<LogRecord> appended = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            LogRecord r = DiskLogs.record("r" + i, BOTH, sizes[i]);
            appended.add(r);
            log.append(r);
            if (i % 4 == 3) {
                assertThat(log.syncOnce(false)).isTrue(); // some cycles take one record, some several
            }
        }
        for (int i = 0; i < 300; i++) { // a run of small frames across several chunks in one cycle
            LogRecord r = DiskLogs.record("s" + i, BOTH, 700);
            appended.add(r);
            log.append(r);
        }
        assertThat(log.syncOnce(true)).isTrue();
        log.abandon();
        storage.crash();

        DiskLog reopened = open(c);
        List<LogRecord> back = new ArrayList<>();
        reopened.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, back);
        while (back.size() < appended.size()) { // the backlog is read from the files, a batch at a time
            int before = back.size();
            reopened.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, back);
            assertThat(back.size()).as("reading makes progress").isGreaterThan(before);
        }
        assertThat(back).extracting(r -> r.eventId).containsExactlyElementsOf(
                appended.stream().map(r -> r.eventId).collect(java.util.stream.Collectors.toList()));
        for (int i = 0; i < back.size(); i++) {
            assertThat(back.get(i).payloads[0]).as(back.get(i).eventId).isEqualTo(appended.get(i).payloads[0]);
        }
        assertThat(reopened.recovery().hasDamage()).isFalse();
    }

    @Test
    void alwaysMakesRecordsDurableOnlyAfterTheForceThatCoversThem() {
        DiskLog log = open(config(OverflowPolicy.dropNewest(), FsyncPolicy.always()));
        for (int i = 0; i < 10; i++) {
            log.append(DiskLogs.record("r" + i, BOTH, 100));
        }
        assertThat(log.durablePosition()).isZero();
        assertThat(log.awaitDurable(9, 0)).isFalse();
        long forcesBefore = storage.operations();
        assertThat(log.syncOnce(false)).isTrue();
        assertThat(log.durablePosition()).isEqualTo(10);
        assertThat(log.durableRecords()).isEqualTo(10);
        assertThat(log.awaitDurable(9, 0)).isTrue();
        // One write of the buffered frames (plus the new segment's header), one force, one directory sync.
        assertThat(storage.operations() - forcesBefore).as("group commit, not a write per record").isLessThanOrEqualTo(4);
        log.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void intervalForcesOnlyWhenTheIntervalHasPassedAndNeverNeverForces() {
        DiskLog log = open(config(OverflowPolicy.dropNewest(), FsyncPolicy.interval(Duration.ofMillis(50))));
        log.append(DiskLogs.record("a", BOTH, 100));
        log.syncOnce(false);
        assertThat(log.durablePosition()).as("written but not forced yet").isZero();
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(50));
        log.syncOnce(false);
        assertThat(log.durablePosition()).isEqualTo(1);
        log.shutdown(TimeUnit.SECONDS.toNanos(5));

        FaultyStorage other = new FaultyStorage();
        DiskLog never = DiskLog.open(config(OverflowPolicy.dropNewest(), FsyncPolicy.never()), other);
        never.append(DiskLogs.record("b", BOTH, 100));
        never.syncOnce(true);
        assertThat(never.durablePosition()).isZero();
        assertThat(never.durableRecords()).isZero();
        never.abandon();
        other.crash();
        assertThat(readAll(DiskLog.open(config(OverflowPolicy.dropNewest(), FsyncPolicy.never()), other), 0))
                .as("written to the OS, so it survives a process crash").containsExactly("b");
    }

    @Test
    void aSegmentIsDeletedOnlyOnceEverySinkHasPassedIt() {
        DiskLog log = open(config(OverflowPolicy.dropNewest(), FsyncPolicy.always()));
        for (int i = 0; i < 100; i++) {
            log.append(DiskLogs.record("r" + i, BOTH, 200));
        }
        log.syncOnce(true);
        int segments = segmentFiles().size();
        assertThat(segments).isGreaterThan(3);
        readAll(log, 0);
        log.commit(0, EventLog.ALL_READ);
        log.syncOnce(true);
        assertThat(segmentFiles()).as("sink 1 has read nothing").hasSize(segments);
        readAll(log, 1);
        log.commit(1, EventLog.ALL_READ);
        log.syncOnce(true);
        assertThat(segmentFiles()).as("only the active segment is kept").hasSize(1);
        log.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    private List<String> segmentFiles() {
        List<String> out = new ArrayList<>();
        for (String name : storage.list()) {
            if (JournalFormat.segmentFirstSeq(name) >= 0) {
                out.add(name);
            }
        }
        return out;
    }

    @Test
    void aSecondJournalOnTheSameDirectoryIsRefusedWithAClearError(@TempDir Path dir) throws Exception {
        DiskLog.Config c = config(OverflowPolicy.dropNewest(), FsyncPolicy.always());
        Path journal = dir.resolve("journal");
        DiskLog first = DiskLog.open(c, new FileJournalStorage(journal));
        try {
            assertThatThrownBy(() -> DiskLog.open(c, new FileJournalStorage(journal)))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(journal.toAbsolutePath().toString())
                    .hasMessageContaining("is in use by another tracker");
            first.append(DiskLogs.record("a", BOTH, 10));
            first.syncOnce(true);
            if (journal.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal))).isEqualTo("rwx------");
                try (var files = Files.list(journal)) {
                    files.forEach(f -> {
                        try {
                            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as("%s", f)
                                    .isEqualTo("rw-------");
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                }
            }
        } finally {
            first.shutdown(TimeUnit.SECONDS.toNanos(5));
        }
        DiskLog again = DiskLog.open(c, new FileJournalStorage(journal));
        assertThat(readAll(again, 0)).as("released on shutdown; the record is still there").containsExactly("a");
        again.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void diskFullUnderDropNewestDropsNewEventsAndReportsNothingDurableUntilSpaceReturns() {
        DiskLog c = open(config(OverflowPolicy.dropNewest(), FsyncPolicy.always()));
        c.append(DiskLogs.record("before", BOTH, 100));
        c.syncOnce(false);
        storage.diskFull(true);
        assertThat(c.append(DiskLogs.record("buffered", BOTH, 100))).as("the writer has not failed yet").isTrue();
        assertThat(c.syncOnce(false)).isFalse();
        assertThat(c.failure()).hasMessage(FaultyStorage.ENOSPC);
        assertThat(c.durablePosition()).isEqualTo(1);
        assertThat(c.append(DiskLogs.record("refused", BOTH, 100))).isFalse();
        assertThat(drops).containsExactly("0:refused:JOURNAL_WRITE_FAILED", "1:refused:JOURNAL_WRITE_FAILED");
        assertThat(c.writeFailures()).isEqualTo(1);

        storage.diskFull(false);
        assertThat(c.syncOnce(false)).isTrue();
        assertThat(c.failure()).isNull();
        assertThat(c.durablePosition()).isEqualTo(2);
        assertThat(c.append(DiskLogs.record("after", BOTH, 100))).isTrue();
        c.syncOnce(true);
        c.abandon();
        storage.powerLoss();
        DiskLog reopened = open(config(OverflowPolicy.dropNewest(), FsyncPolicy.always()));
        assertThat(readAll(reopened, 0)).containsExactly("before", "buffered", "after");
        assertThat(reopened.recovery().hasDamage()).isFalse();
    }

    @Test
    void aWriteThatFailsHalfwayIsTruncatedBackAndWrittenAgainWhole() {
        DiskLog log = open(config(OverflowPolicy.dropNewest(), FsyncPolicy.always()));
        log.append(DiskLogs.record("a", BOTH, 100));
        log.syncOnce(false);
        String segment = segmentFiles().get(0);
        int forced = storage.content(segment).length;
        log.append(DiskLogs.record("b", BOTH, 300));
        storage.failWritesAfterBytes(50);
        assertThat(log.syncOnce(false)).isFalse();
        assertThat(storage.content(segment)).as("the partial frame is cut off again").hasSize(forced);
        storage.diskFull(false);
        storage.shortWrites(true);
        assertThat(log.syncOnce(false)).isTrue();
        log.abandon();
        storage.powerLoss();
        DiskLog reopened = open(config(OverflowPolicy.dropNewest(), FsyncPolicy.always()));
        assertThat(readAll(reopened, 1)).containsExactly("a", "b");
        assertThat(reopened.recovery().hasDamage()).isFalse();
    }

    @Test
    void manyChunksPerCycleSurviveFailedForcesWholeAndInOrder() {
        // Each cycle frames several full chunks (~110 frames of 2,300 bytes each) while every third
        // force fails: the chunks waiting to be written again must keep their bytes, in order, while
        // new chunks are filled (a writer that reused a chunk's buffer before its force fails this).
        DiskLog.Config c = DiskLogs.config(clock, observer, OverflowPolicy.dropNewest(), 256L << 20, 2,
                FsyncPolicy.always());
        c.segmentBytes = 2L << 20;
        c.memoryBytes = 64L << 20;
        DiskLog log = open(c);
        List<LogRecord> appended = new ArrayList<>();
        int cycles = 12;
        for (int cycle = 0; cycle < cycles; cycle++) {
            for (int i = 0; i < 400; i++) {
                LogRecord r = DiskLogs.record("c" + cycle + "-" + i, BOTH, 2_300);
                appended.add(r);
                log.append(r);
            }
            if (cycle % 3 == 1) {
                storage.failNextForces(1);
                assertThat(log.syncOnce(false)).as("cycle %d: the failed force", cycle).isFalse();
            }
            assertThat(log.syncOnce(false)).as("cycle %d", cycle).isTrue();
            assertThat(log.durablePosition()).isEqualTo(appended.size());
        }
        log.abandon();
        storage.powerLoss();

        DiskLog reopened = open(c);
        assertThat(reopened.recovery().hasDamage()).isFalse();
        List<LogRecord> back = new ArrayList<>();
        while (reopened.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, back) > 0) {
            // the files are read back in batches
        }
        assertThat(back).extracting(r -> r.eventId).containsExactlyElementsOf(
                appended.stream().map(r -> r.eventId).collect(java.util.stream.Collectors.toList()));
        for (int i = 0; i < back.size(); i++) {
            assertThat(back.get(i).payloads[0]).as(back.get(i).eventId).isEqualTo(appended.get(i).payloads[0]);
        }
        reopened.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void aFailedForceReportsNothingDurableAndTheDataIsWrittenAgain() {
        DiskLog log = open(config(OverflowPolicy.dropNewest(), FsyncPolicy.always()));
        log.append(DiskLogs.record("a", BOTH, 100));
        storage.failNextForces(1);
        assertThat(log.syncOnce(false)).isFalse();
        assertThat(log.durablePosition()).isZero();
        assertThat(log.syncOnce(false)).isTrue();
        assertThat(log.durablePosition()).isEqualTo(1);
        log.abandon();
        storage.powerLoss();
        DiskLog reopened = open(config(OverflowPolicy.dropNewest(), FsyncPolicy.always()));
        assertThat(readAll(reopened, 0)).containsExactly("a");
    }

    @Test
    void diskFullUnderBlockWaitsForTheWriterToRecoverThenTimesOut() throws Exception {
        DiskLog log = open(config(OverflowPolicy.block(Duration.ofSeconds(5)), FsyncPolicy.always()));
        log.append(DiskLogs.record("a", BOTH, 100));
        storage.diskFull(true);
        log.syncOnce(false);
        CompletableFuture<Boolean> waits = CompletableFuture.supplyAsync(() -> log.append(DiskLogs.record("b", BOTH, 100)));
        storage.diskFull(false);
        log.syncOnce(false);
        assertThat(waits.get(10, TimeUnit.SECONDS)).isTrue();

        storage.diskFull(true);
        log.append(DiskLogs.record("c", BOTH, 100));
        log.syncOnce(false);
        CompletableFuture<Boolean> timesOut = CompletableFuture.supplyAsync(() -> log.append(DiskLogs.record("d", BOTH, 100)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!timesOut.isDone() && System.nanoTime() < deadline) {
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1)); // virtual time passes the 5 s timeout
            Thread.yield();
        }
        assertThatThrownBy(() -> timesOut.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BufferFullException.class).hasMessageContaining("cannot write (" + FaultyStorage.ENOSPC);
    }
}
