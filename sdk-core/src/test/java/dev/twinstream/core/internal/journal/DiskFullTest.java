package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.Clock;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.OverflowPolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A full disk, step by step and deterministically: a {@link FaultyStorage} with a real
 * {@link FaultyStorage#capacity capacity}, so that the space the journal frees by deleting its own
 * segments is what lets it write again. The writer is driven by hand ({@link DiskLog#syncOnce}) on
 * a virtual clock; the journal's own capacity ({@code maxBytes}) is far above the disk's, so it is
 * the disk that fills. The sinks are "down" while the test does not read, and "deliver" when it
 * reads and commits.
 */
class DiskFullTest {
    private static final int BOTH = 0b11;
    private static final int PAYLOAD = 200;
    /** The disk: room for about a dozen 4 KiB segments besides the 8 KiB checkpoint. */
    private static final long DISK = 64 * 1024;
    private static final long CHECKPOINT_DUE = JournalWriter.CHECKPOINT_INTERVAL_NANOS;
    private static final String WRITER_WARN = "WARN " + JournalWriter.class.getName();

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Clock clock = new NanoClock(nanos);
    private final DiskLogs.RecordingObserver observer = new DiskLogs.RecordingObserver();
    private final List<String> drops = observer.drops;
    private final FaultyStorage storage = new FaultyStorage();

    private DiskLog.Config config(OverflowPolicy policy) {
        DiskLog.Config c = DiskLogs.config(clock, observer, policy, 1 << 20, 2, FsyncPolicy.always());
        c.segmentBytes = 4096;
        c.memoryBytes = 16 * 1024; // most of a backlog is read back from the files
        return c;
    }

    private DiskLog open(OverflowPolicy policy) {
        return DiskLog.open(config(policy), storage);
    }

    private static LogRecord record(String id) {
        return DiskLogs.record(id, BOTH, PAYLOAD);
    }

    /**
     * Appends (each written and forced at once, the sinks down) until the disk is full and the
     * writer fails.
     *
     * @return the ids accepted, the last of them not on disk: its write is the one that failed
     */
    private static List<String> fill(DiskLog log, String prefix) {
        List<String> accepted = new ArrayList<>();
        while (log.failure() == null) {
            assertThat(accepted).as("the disk should have filled").hasSizeLessThan(10_000);
            String id = prefix + accepted.size();
            assertThat(log.append(record(id))).as("accepted while the writer still writes").isTrue();
            accepted.add(id);
            log.syncOnce(false);
        }
        assertThat(log.failure()).hasMessage(FaultyStorage.ENOSPC);
        return accepted;
    }

    /** Everything the sink can read now: from the files first, then from the memory window. */
    private static List<String> readAll(EventLog log, int sink) {
        List<LogRecord> out = new ArrayList<>();
        int before;
        do {
            before = out.size();
            log.read(sink, Integer.MAX_VALUE, Long.MAX_VALUE, out);
        } while (out.size() > before);
        List<String> ids = new ArrayList<>();
        for (LogRecord r : out) {
            ids.add(r.eventId);
        }
        return ids;
    }

    /** Both sinks deliver everything they have and commit it. */
    private static List<String> deliverAll(DiskLog log) {
        List<String> first = readAll(log, 0);
        assertThat(readAll(log, 1)).as("both sinks get the same").isEqualTo(first);
        log.commit(0, EventLog.ALL_READ);
        log.commit(1, EventLog.ALL_READ);
        return first;
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

    private List<String> dropsOf(String reason) {
        List<String> out = new ArrayList<>();
        synchronized (observer) {
            for (String d : drops) {
                if (d.endsWith(":" + reason)) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    @Test
    void dropNewestDropsWhileFullThenDeliveryFreesSegmentsAndWritingResumesByItself() {
        storage.capacity(DISK);
        DiskLog log = open(OverflowPolicy.dropNewest());
        List<String> accepted = fill(log, "a");
        assertThat(storage.usedBytes()).as("the journal filled the disk").isLessThanOrEqualTo(DISK)
                .isGreaterThan(DISK - 1024);
        int segmentsWhenFull = segmentFiles().size();
        assertThat(segmentsWhenFull).isGreaterThan(8);
        assertThat(log.durablePosition()).as("the record whose write failed is not durable").isLessThan(accepted.size());

        // While full: DROP_NEWEST drops every new event, for every sink, as JOURNAL_WRITE_FAILED.
        for (int i = 0; i < 5; i++) {
            assertThat(log.append(record("dropped" + i))).isFalse();
        }
        List<String> expectedDrops = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expectedDrops.add("0:dropped" + i + ":JOURNAL_WRITE_FAILED");
            expectedDrops.add("1:dropped" + i + ":JOURNAL_WRITE_FAILED");
        }
        assertThat(drops).containsExactlyElementsOf(expectedDrops);
        // The writer keeps retrying; nothing frees space while the sinks are down.
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(log.syncOnce(false)).isFalse();
        assertThat(log.failure()).hasMessage(FaultyStorage.ENOSPC);
        long failuresWhileFull = log.writeFailures();
        assertThat(failuresWhileFull).isGreaterThanOrEqualTo(2);

        // The sinks come back: everything accepted before the failure is delivered, on disk or not.
        List<String> delivered = new ArrayList<>(deliverAll(log));
        assertThat(delivered).containsExactlyElementsOf(accepted);
        nanos.addAndGet(CHECKPOINT_DUE);
        assertThat(log.syncOnce(false)).as("checkpoint, deletion, and the retry that now fits").isTrue();
        assertThat(log.failure()).isNull();
        assertThat(log.writeFailures()).isEqualTo(failuresWhileFull);
        assertThat(log.durablePosition()).as("the retried record is durable now").isEqualTo(accepted.size());
        assertThat(segmentFiles()).as("every segment the sinks passed is deleted").hasSizeLessThanOrEqualTo(2);
        assertThat(storage.usedBytes()).isLessThan(DISK / 4);

        // New events are accepted, written and durable without any intervention: twice the disk's
        // worth, while the sinks keep up, so the space of every delivered segment is used again.
        List<String> later = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            LogRecord r = record("b" + i);
            assertThat(log.append(r)).isTrue();
            later.add(r.eventId);
            log.syncOnce(false);
            assertThat(log.awaitDurable(r.seq, 0)).isTrue();
            if (i % 10 == 9) {
                delivered.addAll(deliverAll(log));
                nanos.addAndGet(CHECKPOINT_DUE);
            }
            assertThat(storage.usedBytes()).isLessThanOrEqualTo(DISK);
        }
        delivered.addAll(deliverAll(log));
        assertThat(log.failure()).isNull();
        assertThat(log.writeFailures()).as("the disk never filled again").isEqualTo(failuresWhileFull);

        // Conservation: each of the 5 + accepted + later events offered was delivered to each sink once, or dropped for it.
        List<String> expected = new ArrayList<>(accepted);
        expected.addAll(later);
        assertThat(delivered).containsExactlyElementsOf(expected);
        assertThat(delivered.size() + dropsOf("JOURNAL_WRITE_FAILED").size() / 2).isEqualTo(accepted.size() + 5 + 500);
        assertThat(EventLogContractTest.peek(log, 0).count).as("nothing unread").isZero();
        assertThat(EventLogContractTest.peek(log, 1).count).isZero();
        log.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void theCheckpointIsWrittenInPlaceWhileTheDiskIsFull() {
        storage.capacity(DISK);
        DiskLog log = open(OverflowPolicy.dropNewest());
        List<String> accepted = fill(log, "a");
        long durable = log.durablePosition();
        // Sink 0 delivers everything, sink 1 nothing: no segment can go, the disk stays full.
        assertThat(readAll(log, 0)).containsExactlyElementsOf(accepted);
        log.commit(0, EventLog.ALL_READ);
        byte[] before = storage.content(JournalFormat.CHECKPOINT);
        long used = storage.usedBytes();
        nanos.addAndGet(CHECKPOINT_DUE);
        assertThat(log.syncOnce(false)).as("the retry still fails").isFalse();
        assertThat(log.failure()).hasMessage(FaultyStorage.ENOSPC);
        assertThat(storage.content(JournalFormat.CHECKPOINT)).as("rewritten anyway").isNotEqualTo(before)
                .hasSameSizeAs(before);
        assertThat(storage.usedBytes()).as("in place: not a byte more").isEqualTo(used);

        // It is durable: after a power cut the disk is still full, and sink 0 does not get its events again.
        log.abandon();
        storage.powerLoss();
        DiskLog reopened = open(OverflowPolicy.dropNewest());
        assertThat(readAll(reopened, 0)).isEmpty();
        assertThat(readAll(reopened, 1)).containsExactlyElementsOf(accepted.subList(0, (int) durable));
        assertThat(reopened.recovery().hasDamage()).isFalse();
        reopened.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void blockWaitsWhileFullThenThrowsAClearBufferFullExceptionOrSucceedsOnceDeliveryFreedSpace() throws Exception {
        storage.capacity(DISK);
        DiskLog log = open(OverflowPolicy.block(Duration.ofSeconds(5)));
        List<String> accepted = fill(log, "a");

        // Nothing frees space within the timeout (virtual time): BufferFullException naming the cause.
        CompletableFuture<Boolean> timesOut = CompletableFuture.supplyAsync(() -> log.append(record("late")));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!timesOut.isDone() && System.nanoTime() < deadline) {
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            Thread.yield();
        }
        assertThatThrownBy(() -> timesOut.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BufferFullException.class)
                .hasMessageContaining("the disk journal in faulty-storage cannot write (" + FaultyStorage.ENOSPC + ")")
                .hasMessageContaining("did not recover within the overflow policy's timeout of PT5S");

        // The next one waits; the sinks deliver, the writer deletes what they passed, and it goes through.
        CompletableFuture<Boolean> waits = CompletableFuture.supplyAsync(() -> log.append(record("waiting")));
        assertThatThrownBy(() -> waits.get(100, TimeUnit.MILLISECONDS)).as("blocked while full")
                .isInstanceOf(TimeoutException.class);
        assertThat(deliverAll(log)).containsExactlyElementsOf(accepted);
        nanos.addAndGet(CHECKPOINT_DUE);
        assertThat(log.syncOnce(false)).isTrue();
        assertThat(waits.get(10, TimeUnit.SECONDS)).isTrue();
        log.syncOnce(false);
        assertThat(log.durablePosition()).isEqualTo(accepted.size() + 1);
        assertThat(deliverAll(log)).containsExactly("waiting");
        assertThat(drops).as("BLOCK never drops").isEmpty();
        log.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void blockWaitingForTheMemoryWindowWhenTheWriterFailsNamesTheFullDisk() throws Exception {
        DiskLog log = open(OverflowPolicy.block(Duration.ofSeconds(5)));
        storage.capacity(storage.usedBytes()); // full from the first write on
        int n = 0;
        while (LogRecord.HEAP_OVERHEAD_BYTES + PAYLOAD + log.hotBytes() <= 16 * 1024) {
            assertThat(log.append(record("a" + n++))).isTrue(); // the writer has not run: none is on disk
        }
        CompletableFuture<Boolean> waits = CompletableFuture.supplyAsync(() -> log.append(record("late")));
        EventLogContractTest.awaitUntil(() -> log.blockedAppenders() == 1); // waiting for room in the window
        assertThat(log.syncOnce(false)).isFalse(); // and then the writer finds the disk full
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!waits.isDone() && System.nanoTime() < deadline) {
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            Thread.yield();
        }
        assertThatThrownBy(() -> waits.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(BufferFullException.class)
                .hasMessageContaining("cannot write (" + FaultyStorage.ENOSPC + ")")
                .hasMessageContaining("timeout of PT5S");
        log.abandon();
    }

    @Test
    void openingOnAFullDiskWorksDeliversTheBacklogAndResumesOnceItsSegmentsAreDeleted() {
        storage.capacity(DISK);
        DiskLog first = open(OverflowPolicy.dropNewest());
        List<String> accepted = fill(first, "a");
        int durable = (int) first.durablePosition();
        first.shutdown(TimeUnit.SECONDS.toNanos(5)); // closing on a full disk: what was not written is lost
        storage.capacity(storage.usedBytes()); // and not a byte left

        DiskLog log = open(OverflowPolicy.dropNewest());
        assertThat(log.recovery().hasDamage()).isFalse();
        assertThat(log.recovery().recordsReplayed()).isEqualTo(durable);
        assertThat(log.failure()).as("nothing written yet").isNull();
        // The first new event is accepted; its write fails, and from then on the policy applies.
        assertThat(log.append(record("n0"))).isTrue();
        assertThat(log.syncOnce(false)).isFalse();
        assertThat(log.failure()).hasMessage(FaultyStorage.ENOSPC);
        assertThat(log.append(record("n1"))).isFalse();
        assertThat(drops).containsExactly("0:n1:JOURNAL_WRITE_FAILED", "1:n1:JOURNAL_WRITE_FAILED");

        // The backlog is read from the files and delivered; then its segments go and n0 is written.
        List<String> expected = new ArrayList<>(accepted.subList(0, durable));
        expected.add("n0");
        assertThat(deliverAll(log)).containsExactlyElementsOf(expected);
        nanos.addAndGet(CHECKPOINT_DUE);
        assertThat(log.syncOnce(false)).isTrue();
        assertThat(log.failure()).isNull();
        assertThat(log.durablePosition()).isEqualTo(durable + 1);
        assertThat(segmentFiles()).hasSize(1);

        LogRecord n2 = record("n2");
        assertThat(log.append(n2)).isTrue();
        log.syncOnce(false);
        assertThat(log.awaitDurable(n2.seq, 0)).isTrue();
        log.shutdown(TimeUnit.SECONDS.toNanos(5));

        // What is left for the next run is exactly n2 (the backlog's commits reached the checkpoint).
        DiskLog third = open(OverflowPolicy.dropNewest());
        assertThat(readAll(third, 0)).containsExactly("n2");
        assertThat(readAll(third, 1)).containsExactly("n2");
        assertThat(third.recovery().hasDamage()).isFalse();
        third.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void aFreshJournalOnADiskSomethingElseFilledOpensAndWritesOnceSpaceReturns() {
        storage.capacity(0); // another program filled the disk: not even the checkpoint fits
        DiskLog log = open(OverflowPolicy.dropNewest());
        assertThat(log.append(record("a0"))).isTrue();
        assertThat(log.syncOnce(false)).isFalse();
        assertThat(log.append(record("a1"))).isFalse();
        assertThat(dropsOf("JOURNAL_WRITE_FAILED")).hasSize(2);

        storage.capacity(DISK); // the other program freed its space
        nanos.addAndGet(CHECKPOINT_DUE);
        assertThat(log.syncOnce(false)).isTrue();
        assertThat(log.durablePosition()).isEqualTo(1);
        assertThat(storage.content(JournalFormat.CHECKPOINT)).as("preallocated now")
                .hasSize(2 * JournalFormat.CHECKPOINT_SLOT_BYTES);
        assertThat(log.append(record("a2"))).isTrue();
        log.syncOnce(false);
        assertThat(log.durablePosition()).isEqualTo(2);
        assertThat(deliverAll(log)).containsExactly("a0", "a2");
        log.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void aCheckpointThatCouldNotBePreallocatedDoesNotKeepAFullJournalStuck() {
        // Opened on a full disk, so the checkpoint could not get its two slots; then a little space
        // returns and the journal's segments take it before the checkpoint was due again.
        storage.capacity(0);
        DiskLog log = open(OverflowPolicy.dropNewest());
        storage.capacity(DISK);
        List<String> accepted = new ArrayList<>();
        while (log.failure() == null) {
            assertThat(accepted).hasSizeLessThan(10_000);
            String id = "a" + accepted.size();
            assertThat(log.append(record(id))).isTrue();
            accepted.add(id);
            log.syncOnce(false); // the clock stands still: the checkpoint is not due
        }
        assertThat(storage.content(JournalFormat.CHECKPOINT)).hasSizeLessThan(2 * JournalFormat.CHECKPOINT_SLOT_BYTES);

        // The sinks deliver everything: what they passed must give the journal its space back.
        assertThat(deliverAll(log)).containsExactlyElementsOf(accepted);
        for (int i = 0; i < 3 && log.failure() != null; i++) {
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            log.syncOnce(false);
        }
        assertThat(log.failure()).as("the journal healed").isNull();
        assertThat(log.durablePosition()).isEqualTo(accepted.size());
        assertThat(storage.content(JournalFormat.CHECKPOINT)).as("the checkpoint got its slots first")
                .hasSize(2 * JournalFormat.CHECKPOINT_SLOT_BYTES);
        assertThat(segmentFiles()).hasSizeLessThanOrEqualTo(2);
        LogRecord next = record("next");
        assertThat(log.append(next)).isTrue();
        log.syncOnce(false);
        assertThat(log.awaitDurable(next.seq, 0)).isTrue();
        log.shutdown(TimeUnit.SECONDS.toNanos(5));

        DiskLog reopened = open(OverflowPolicy.dropNewest());
        assertThat(readAll(reopened, 0)).as("the checkpoint is good: only the undelivered event comes back")
                .containsExactly("next");
        assertThat(reopened.recovery().hasDamage()).isFalse();
        reopened.shutdown(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void aCrashAtAnyStepOfTheHealingCycleLeavesNoDamageAndLosesNothingDurable() {
        // Open on a full disk, so the first new segment cannot even get its header; the healing cycle
        // then writes the checkpoint, deletes the old segments, and starts that segment again.
        for (int step = 1; ; step++) {
            FaultyStorage disk = new FaultyStorage();
            disk.capacity(DISK);
            DiskLog first = DiskLog.open(config(OverflowPolicy.dropNewest()), disk);
            List<String> accepted = fill(first, "a");
            int durable = (int) first.durablePosition();
            first.shutdown(TimeUnit.SECONDS.toNanos(5));
            disk.capacity(disk.usedBytes());
            DiskLog log = DiskLog.open(config(OverflowPolicy.dropNewest()), disk);
            List<String> fresh = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fresh.add("n" + i); // framed; the first write fails on the header of the new segment
                assertThat(log.append(record("n" + i))).isTrue();
            }
            assertThat(log.syncOnce(false)).isFalse();
            deliverAll(log);
            nanos.addAndGet(CHECKPOINT_DUE);
            long start = disk.operations();
            disk.crashAtOperation(start + step);
            log.syncOnce(false);
            boolean crashed = disk.crashed();
            log.abandon();
            disk.crash();

            DiskLog reopened = DiskLog.open(config(OverflowPolicy.dropNewest()), disk);
            assertThat(reopened.recovery().hasDamage()).as("crash at step %d: %s", step, reopened.recovery()).isFalse();
            List<String> left = readAll(reopened, 0);
            // Everything was delivered: what comes back can only be a re-send of what was delivered.
            List<String> all = new ArrayList<>(accepted.subList(0, durable));
            all.addAll(fresh);
            assertThat(all).as("step %d", step).containsAll(left);
            reopened.shutdown(TimeUnit.SECONDS.toNanos(5));
            if (!crashed) {
                assertThat(step).as("the healing cycle has a few steps").isGreaterThan(3);
                return;
            }
            assertThat(step).isLessThan(100);
        }
    }

    @Test
    void aFullDiskEpisodeLogsOneWarningAndRecoveryOneInfo() {
        try (CapturedErr err = new CapturedErr()) {
            storage.capacity(DISK);
            DiskLog log = open(OverflowPolicy.dropNewest());
            fill(log, "a");
            for (int i = 0; i < 20; i++) {
                nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
                log.syncOnce(false);
                log.append(record("dropped" + i));
            }
            deliverAll(log);
            nanos.addAndGet(CHECKPOINT_DUE);
            assertThat(log.syncOnce(false)).isTrue();
            assertThat(err.lines(WRITER_WARN)).as("one WARN for the whole episode:%n%s", err).hasSize(1);
            assertThat(err.lines("INFO " + JournalWriter.class.getName())).anyMatch(l -> l.contains("writes again"));
            log.shutdown(TimeUnit.SECONDS.toNanos(5));
        }
    }

    @Test
    void aCheckpointThatCannotBeWrittenWarnsOncePerEpisodeNotOnEveryCycle() {
        try (CapturedErr err = new CapturedErr()) {
            storage.capacity(0);
            DiskLog log = open(OverflowPolicy.dropNewest()); // the checkpoint cannot be preallocated
            for (int i = 0; i < 20; i++) {
                nanos.addAndGet(CHECKPOINT_DUE);
                log.syncOnce(false); // nothing appended: only the checkpoint is retried
            }
            assertThat(err.lines(WRITER_WARN)).as("%s", err).hasSize(1);
            storage.capacity(DISK);
            nanos.addAndGet(CHECKPOINT_DUE);
            assertThat(log.syncOnce(false)).isTrue();
            assertThat(storage.content(JournalFormat.CHECKPOINT)).hasSize(2 * JournalFormat.CHECKPOINT_SLOT_BYTES);
            log.shutdown(TimeUnit.SECONDS.toNanos(5));
        }
    }

    /** What slf4j-simple writes meanwhile (it looks {@code System.err} up for every line); echoed on close. */
    private static final class CapturedErr implements AutoCloseable {
        private final PrintStream saved = System.err;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        CapturedErr() {
            System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }

        synchronized List<String> lines(String containing) {
            List<String> out = new ArrayList<>();
            for (String line : toString().split("\\R")) {
                if (line.contains(containing)) {
                    out.add(line);
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setErr(saved);
            saved.print(this);
        }
    }
}
