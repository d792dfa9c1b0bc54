package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.Clock;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A full disk through the storage seam, deterministically: {@link FaultyStorage#capacityBytes} is a
 * disk of a fixed size on which the journal's own deletions free space. Every step: the disk fills,
 * the overflow policy applies, what was accepted is still delivered, the writer deletes what sinks
 * passed and resumes by itself, and a journal opened on a full disk works.
 */
class DiskFullTest {
    private static final long NS = TimeUnit.SECONDS.toNanos(5);
    private static final long DISK_BYTES = 256 * 1024;

    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    private final Clock clock = new NanoClock(nanos);
    private final List<String> drops = new ArrayList<>();
    private final LogObserver observer = new LogObserver() {
        @Override
        public synchronized void dropped(int sink, LogRecord record, DropReason reason) {
            drops.add(sink + ":" + record.eventId + ":" + reason);
        }

        @Override
        public void wake(boolean batchReady) {}
    };
    private final FaultyStorage storage = new FaultyStorage();

    private DiskLog.Config config(OverflowPolicy policy) {
        DiskLog.Config c = DiskLogs.config(clock, observer, policy, 1L << 30, 1, FsyncPolicy.always());
        c.segmentBytes = 32 * 1024;
        c.memoryBytes = 1L << 20;
        return c;
    }

    /** Appends 1 KB records, a writer cycle after each, until the writer fails; returns how many were accepted. */
    private int fillDisk(DiskLog log) {
        int n = 0;
        while (log.failure() == null) {
            assertThat(log.append(DiskLogs.record("e" + n, 1, 1000))).isTrue();
            n++;
            log.syncOnce(false);
            assertThat(n).as("records before the disk is full").isLessThan(1000);
        }
        return n;
    }

    private static List<String> deliverAll(DiskLog log) {
        List<String> ids = new ArrayList<>();
        List<LogRecord> out = new ArrayList<>();
        while (log.read(0, 100, Long.MAX_VALUE, out) > 0) {
            for (LogRecord r : out) {
                ids.add(r.eventId);
            }
            out.clear();
        }
        log.commit(0, EventLog.ALL_READ);
        return ids;
    }

    @Test
    void dropNewestWhileFullThenTheWriterDeletesWhatTheSinkPassedAndWritesAgainByItself() {
        storage.capacityBytes(DISK_BYTES);
        DiskLog log = DiskLog.open(config(OverflowPolicy.dropNewest()), storage);
        try {
            int accepted = fillDisk(log);
            assertThat(storage.usedBytes()).isLessThanOrEqualTo(DISK_BYTES);
            assertThat(log.writeFailures()).isEqualTo(1);

            assertThat(log.append(DiskLogs.record("while-full", 1, 1000))).isFalse();
            assertThat(drops).containsExactly("0:while-full:JOURNAL_WRITE_FAILED");
            log.syncOnce(false);
            assertThat(log.failure()).as("still full: nothing was passed").isNotNull();

            // The sink comes back: it gets every accepted record, including those not yet written.
            List<String> delivered = deliverAll(log);
            assertThat(delivered).hasSize(accepted).startsWith("e0").endsWith("e" + (accepted - 1));
            long usedBefore = storage.usedBytes();
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1)); // the checkpoint is due
            assertThat(log.syncOnce(false)).isTrue();
            assertThat(log.failure()).as("writes again without intervention").isNull();
            assertThat(storage.usedBytes()).as("segments the sink passed were deleted").isLessThan(usedBefore);

            drops.clear();
            assertThat(log.append(DiskLogs.record("after", 1, 1000))).isTrue();
            long seq = log.appendPosition() - 1;
            log.syncOnce(false);
            assertThat(log.durablePosition()).as("the new record is durable").isGreaterThan(seq);
            assertThat(drops).isEmpty();
        } finally {
            log.shutdown(NS);
        }
        DiskLog reopened = DiskLog.open(config(OverflowPolicy.dropNewest()), storage);
        try {
            assertThat(reopened.recovery().hasDamage()).isFalse();
            assertThat(deliverAll(reopened)).as("only what the sink had not committed").containsExactly("after");
        } finally {
            reopened.shutdown(NS);
        }
    }

    @Test
    void blockWaitsWhileFullAndReturnsOnceTheJournalHealed() throws Exception {
        storage.capacityBytes(DISK_BYTES);
        DiskLog log = DiskLog.open(config(OverflowPolicy.block(Duration.ofHours(1))), storage);
        try {
            int accepted = fillDisk(log);
            log.start(r -> {
                Thread t = new Thread(r, "test-journal-writer");
                t.setDaemon(true);
                return t;
            });
            CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(
                    () -> log.append(DiskLogs.record("waits", 1, 1000)));
            EventLogContractTest.awaitUntil(() -> log.failure() != null && !blocked.isDone());
            assertThat(deliverAll(log)).hasSize(accepted);
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            assertThat(blocked.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(drops).isEmpty();
            assertThat(deliverAll(log)).containsExactly("waits");
        } finally {
            log.shutdown(NS);
        }
    }

    @Test
    void aJournalOpenedOnAFullDiskDeliversItsBacklogAndResumesWhenItsDeletionsFreeSpace() {
        storage.capacityBytes(DISK_BYTES);
        DiskLog first = DiskLog.open(config(OverflowPolicy.dropNewest()), storage);
        fillDisk(first);
        first.shutdown(NS); // the records never written are lost with the process: they were not durable
        assertThat(storage.usedBytes()).isGreaterThan(DISK_BYTES - 2 * 1024);

        DiskLog log = DiskLog.open(config(OverflowPolicy.dropNewest()), storage); // must not throw
        try {
            assertThat(log.recovery().hasDamage()).as("%s", log.recovery()).isFalse();
            long written = log.recovery().recordsReplayed();
            assertThat(written).isGreaterThan(100);
            // New events meet the policy while nothing can be written.
            log.append(DiskLogs.record("first-after-open", 1, 1000)); // accepted, then the write fails
            log.syncOnce(false);
            assertThat(log.failure()).isNotNull();
            assertThat(log.append(DiskLogs.record("dropped", 1, 1000))).isFalse();
            assertThat(drops).containsExactly("0:dropped:JOURNAL_WRITE_FAILED");

            List<String> delivered = deliverAll(log);
            assertThat(delivered).hasSize((int) written + 1).endsWith("first-after-open");
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            log.syncOnce(false);
            assertThat(log.failure()).isNull();
            drops.clear();
            assertThat(log.append(DiskLogs.record("resumed", 1, 1000))).isTrue();
            log.syncOnce(false);
            assertThat(log.durablePosition()).isEqualTo(log.appendPosition());
            assertThat(drops).isEmpty();
        } finally {
            log.shutdown(NS);
        }
    }
}
