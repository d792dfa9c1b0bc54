package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.Clock;
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
 * What makes the disk journal's memory independent of its backlog: the bounded window, sinks reading
 * their backlog back from the files, capacity counted in segment files and returned when the writer
 * deletes a segment, and recovery that reads trailers instead of records.
 */
class DiskLogWindowTest {
    private static final long NS = TimeUnit.SECONDS.toNanos(5);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    private final Clock clock = new NanoClock(nanos);
    private final DiskLogs.RecordingObserver observer = new DiskLogs.RecordingObserver();
    private final List<String> drops = observer.drops;
    private final FaultyStorage storage = new FaultyStorage();

    private DiskLog.Config config(OverflowPolicy policy, long maxBytes, long memoryBytes) {
        DiskLog.Config c = DiskLogs.config(clock, observer, policy, maxBytes, 2, FsyncPolicy.always());
        c.segmentBytes = 16 * 1024;
        c.memoryBytes = memoryBytes;
        return c;
    }

    private long segmentFileBytes() {
        long total = 0;
        for (java.util.Map.Entry<String, byte[]> e : storage.snapshot().entrySet()) {
            if (JournalFormat.segmentFirstSeq(e.getKey()) >= 0) {
                total += e.getValue().length;
            }
        }
        return total;
    }

    /** A 1,000-byte record accepted at nanosecond {@code n}. */
    private static LogRecord record(int n, int mask) {
        LogRecord r = DiskLogs.record("e" + n, mask, 1000);
        return new LogRecord(r.eventId, r.eventType, r.partitionKey, null, r.occurredAtMillis(), n, r.payloads, mask, null);
    }

    @Test
    void aSinkThatFallsBehindReadsItsBacklogFromTheFilesWhileTheWindowStaysBounded() {
        long window = 64 * 1024;
        DiskLog log = DiskLog.open(config(OverflowPolicy.dropNewest(), 1L << 30, window), storage);
        try {
            List<LogRecord> out = new ArrayList<>();
            long maxHot = 0;
            for (int n = 0; n < 2000; n++) {
                assertThat(log.append(record(n, n % 4 == 0 ? 0b01 : 0b11))).isTrue();
                if (n % 10 == 9) {
                    log.syncOnce(false);
                    out.clear();
                    log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, out); // sink 0 keeps up, from memory
                    log.commit(0, EventLog.ALL_READ);
                }
                maxHot = Math.max(maxHot, log.hotBytes());
            }
            assertThat(maxHot).as("memory window").isLessThanOrEqualTo(window);
            assertThat(drops).isEmpty();
            assertThat(log.segmentCount()).as("segments on disk").isGreaterThan(50);

            // Sink 1 missed 1500 records of 1 KB: it reads them back from the files, in order, in batches.
            EventLog.Unread unread = new EventLog.Unread();
            log.peek(1, unread);
            assertThat(unread.count).isEqualTo(1500);
            assertThat(unread.bytes).isEqualTo(1500 * 1000L);
            assertThat(unread.oldestNanos).as("acceptance of e1, the oldest record sink 1 has not read").isEqualTo(1);
            List<String> got = new ArrayList<>();
            while (true) {
                out.clear();
                long bytes = log.read(1, 64, 20_000, out);
                if (out.isEmpty()) {
                    break;
                }
                assertThat(out).hasSizeLessThanOrEqualTo(20);
                assertThat(bytes).isEqualTo(out.size() * 1000L);
                for (LogRecord r : out) {
                    assertThat(r.payloads[0]).isEqualTo(DiskLogs.record(r.eventId, 1, 1000).payloads[0]);
                    got.add(r.eventId);
                }
                log.commit(1, EventLog.ALL_READ);
            }
            List<String> expected = new ArrayList<>();
            for (int n = 0; n < 2000; n++) {
                if (n % 4 != 0) {
                    expected.add("e" + n);
                }
            }
            assertThat(got).containsExactlyElementsOf(expected);
            log.peek(1, unread);
            assertThat(unread.count).isZero();
            assertThat(unread.storedRecords).isEqualTo(1500);

            // Caught up: new records come from memory again.
            log.append(record(5000, 0b11));
            out.clear();
            log.read(1, 10, Long.MAX_VALUE, out);
            assertThat(out).extracting(r -> r.eventId).containsExactly("e5000");
        } finally {
            log.shutdown(NS);
        }
    }

    @Test
    void aReceiptSurvivesItsRecordLeavingTheWindow() {
        DiskLog log = DiskLog.open(config(OverflowPolicy.dropNewest(), 1L << 30, 64 * 1024), storage);
        try {
            Receipt receipt = new Receipt(0b01);
            LogRecord first = new LogRecord("with-receipt", "t", "k", null, 0, nanos.get(), new byte[][] {new byte[1000]},
                    0b01, receipt);
            log.append(record(-1, 0b01)); // leaving the window first, it makes sink 0 read from the files
            log.append(first);
            for (int n = 0; n < 300; n++) {
                log.append(record(n, 0b10));
                log.syncOnce(false);
            }
            List<LogRecord> inWindow = new ArrayList<>();
            log.unreadWithReceipts(0, inWindow);
            assertThat(inWindow).extracting(r -> r.eventId).containsExactly("with-receipt");
            List<LogRecord> out = new ArrayList<>();
            log.read(0, 10, Long.MAX_VALUE, out);
            assertThat(out).extracting(r -> r.eventId).containsExactly("e-1", "with-receipt");
            assertThat(out.get(1)).as("read back from the file").isNotSameAs(first);
            assertThat(out.get(1).receipt).isSameAs(receipt);
        } finally {
            log.shutdown(NS);
        }
    }

    @Test
    void capacityCountsSegmentFilesAndComesBackWhenTheWriterDeletesWhatEverySinkPassed() {
        long maxBytes = 64 * 1024; // segments shrink to maxBytes / 4
        DiskLog log = DiskLog.open(config(OverflowPolicy.dropNewest(), maxBytes, 1L << 20), storage);
        try {
            int n = 0;
            while (log.append(record(n, 0b11))) {
                n++;
                log.syncOnce(false);
            }
            assertThat(drops).containsExactly("0:e" + n + ":OVERFLOW_DROP_NEWEST", "1:e" + n + ":OVERFLOW_DROP_NEWEST");
            assertThat(n).as("records that fit in 64 KiB of files").isBetween(50, 64);
            assertThat(log.sizeBytes()).isLessThanOrEqualTo(maxBytes);
            assertThat(segmentFileBytes()).as("files on storage").isLessThanOrEqualTo(maxBytes);

            for (int s = 0; s < 2; s++) {
                log.read(s, Integer.MAX_VALUE, Long.MAX_VALUE, new ArrayList<>());
                log.commit(s, EventLog.ALL_READ);
            }
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            log.syncOnce(false); // checkpoint, then delete every segment but the newest
            assertThat(log.segmentCount()).isEqualTo(1);
            assertThat(log.sizeBytes()).isLessThan(maxBytes / 4 + 2 * 1024);
            drops.clear();
            assertThat(log.append(record(n + 1, 0b11))).isTrue();
            assertThat(drops).isEmpty();
        } finally {
            log.shutdown(NS);
        }
    }

    @Test
    void blockWaitsUntilTheWriterDeletesASegmentEverySinkPassed() throws Exception {
        long maxBytes = 64 * 1024;
        DiskLog log = DiskLog.open(config(OverflowPolicy.block(Duration.ofHours(1)), maxBytes, 1L << 20), storage);
        log.start(r -> {
            Thread t = new Thread(r, "test-journal-writer");
            t.setDaemon(true);
            return t;
        });
        try {
            int n = 0;
            while (log.sizeBytes() + 2 * 1100 < maxBytes) {
                log.append(record(n++, 0b01));
            }
            int last = n;
            java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
            CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> {
                // Appends until one append blocked (the journal is full) and returned once space came
                // back: the test's clock advances once, so it checkpoints (and deletes) once.
                for (int i = 0; !released.get(); i++) {
                    log.append(record(last + i, 0b01));
                }
                return true;
            });
            EventLogContractTest.awaitUntil(() -> log.blockedAppenders() == 1);
            assertThat(blocked).isNotDone();
            List<LogRecord> out = new ArrayList<>();
            log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, out);
            log.commit(0, EventLog.ALL_READ);
            released.set(true);
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1)); // the checkpoint is due
            assertThat(blocked.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(drops).isEmpty();
        } finally {
            log.shutdown(NS);
        }
    }

    @Test
    void aRecordLargerThanTheLargestFrameIsRefusedWithItsSizeAndTheLimitAndNothingIsStored() {
        DiskLog log = DiskLog.open(config(OverflowPolicy.dropNewest(), 1L << 30, 64 * 1024), storage);
        try {
            LogRecord huge = DiskLogs.record("huge", 0b01, JournalFormat.MAX_FRAME_BYTES);
            int frame = JournalFormat.frameLength(huge);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.append(huge))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("event huge takes " + frame + " bytes in the journal; the disk journal's limit is "
                            + JournalFormat.MAX_FRAME_BYTES);
            assertThat(log.appendPosition()).isZero();
            assertThat(log.append(record(1, 0b01))).as("the next event is unaffected").isTrue();
        } finally {
            log.shutdown(NS);
        }
    }

    @Test
    void recoveryReadsSegmentTrailersNotTheRecordsOfSealedSegments() {
        DiskLog log = DiskLog.open(config(OverflowPolicy.dropNewest(), 1L << 30, 64 * 1024), storage);
        for (int n = 0; n < 3000; n++) {
            log.append(record(n, n % 3 == 0 ? 0b01 : 0b11));
            if (n % 50 == 0) {
                log.syncOnce(false);
            }
        }
        List<LogRecord> out = new ArrayList<>();
        log.read(0, 100, Long.MAX_VALUE, out);
        log.commit(0, out.get(out.size() - 1).seq + 1);
        log.shutdown(NS);
        long onDisk = segmentFileBytes();

        DiskLog reopened = DiskLog.open(config(OverflowPolicy.dropNewest(), 1L << 30, 64 * 1024), storage);
        try {
            assertThat(reopened.recovery().hasDamage()).isFalse();
            assertThat(reopened.recovery().recordsRecovered()).isEqualTo(3000);
            assertThat(reopened.recovery().recordsReplayed()).isEqualTo(2966); // sink 0 committed 100, 34 of them only its
            assertThat(reopened.recovery().bytesScanned()).as("of %d bytes on disk", onDisk).isLessThan(onDisk / 10);
            EventLog.Unread unread = new EventLog.Unread();
            reopened.peek(0, unread);
            assertThat(unread.count).isEqualTo(2900);
            reopened.peek(1, unread);
            assertThat(unread.count).isEqualTo(2000);
            assertThat(unread.bytes).isEqualTo(2000 * 1000L);
            assertThat(reopened.hotBytes()).as("nothing loaded into memory").isZero();
        } finally {
            reopened.shutdown(NS);
        }
    }
}
