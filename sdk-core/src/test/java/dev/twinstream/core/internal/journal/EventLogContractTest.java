package dev.twinstream.core.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.Clock;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link EventLog} shares, run against the memory log ({@link MemoryLogTest})
 * and the disk journal ({@link DiskLogContractTest}).
 */
abstract class EventLogContractTest {
    static final int BOTH = 0b11;
    static final int ONLY_FIRST = 0b01;

    final AtomicLong nanos = new AtomicLong();
    /** Every record the test created, in creation order. */
    final List<LogRecord> created = new ArrayList<>();
    final Clock clock = new NanoClock(nanos);
    final List<String> drops = new ArrayList<>();
    final List<String> wakes = new ArrayList<>();
    final LogObserver observer = new LogObserver() {
        @Override
        public synchronized void dropped(int sink, LogRecord record, DropReason reason) {
            drops.add(sink + ":" + record.eventId + ":" + reason);
        }

        @Override
        public synchronized void wake(boolean batchReady) {
            wakes.add(batchReady ? "batch" : "first");
        }
    };

    /**
     * A log under test whose sinks all use format slot 0.
     *
     * @param quotaBytes per-sink quota, Long.MAX_VALUE for none
     * @param wakeRecords per sink, the unread count that wakes the dispatcher
     */
    abstract EventLog newLog(OverflowPolicy policy, long maxBytes, long quotaBytes, int[] wakeRecords);

    /** Appenders waiting for space under BLOCK. */
    abstract int blockedAppenders(EventLog log);

    /**
     * The {@code maxBytes} that holds exactly {@code records} of this suite's records: the memory
     * log counts payload bytes, the disk journal its segment files (header and frames).
     */
    abstract long capacityFor(int records);

    /**
     * Asserts what the log holds once sinks committed as the test did, for a log that releases
     * capacity record by record (the memory log). The disk journal releases capacity a segment at a
     * time when its writer deletes one, which {@code DiskLogTest} covers.
     */
    abstract void assertHeldPayloadBytes(EventLog log, long payloadBytes);

    /** Two sinks sharing one format slot; 100-byte payloads; capacity for 3 records. */
    EventLog log(OverflowPolicy policy) {
        return newLog(policy, capacityFor(3), Long.MAX_VALUE, new int[] {2, 2});
    }

    LogRecord record(String id, int mask) {
        LogRecord r = new LogRecord(id, "t", "k", null, 0, 0, new byte[][] {new byte[100]}, mask, null);
        created.add(r);
        return r;
    }

    @Test
    void recordsAreReleasedOnlyWhenEverySinkTheyGoToHasCommittedPastThem() {
        EventLog log = log(OverflowPolicy.dropNewest());
        log.append(record("a", BOTH));
        log.append(record("b", ONLY_FIRST));
        List<LogRecord> out = new ArrayList<>();
        assertThat(log.read(0, 10, Long.MAX_VALUE, out)).as("payload bytes read").isEqualTo(200);
        assertThat(log.read(1, 10, Long.MAX_VALUE, out)).as("sink 1 skips b").isEqualTo(100);
        assertThat(out).hasSize(3);
        assertThat(peek(log, 1).readPosition).isEqualTo(2);

        log.commit(0, 2);
        assertHeldPayloadBytes(log, 200); // a still pending in sink 1
        log.commit(1, 2);
        assertHeldPayloadBytes(log, 0);
    }

    @Test
    void readRespectsRecordAndByteBudgetsAndWakesOnFirstRecordAndFullBatch() {
        EventLog log = newLog(OverflowPolicy.dropNewest(), 10_000, Long.MAX_VALUE, new int[] {3});
        for (int i = 0; i < 5; i++) {
            log.append(record("r" + i, 1));
        }
        assertThat(wakes).as("first record, then the third (a full batch)").containsExactly("first", "batch");
        List<LogRecord> out = new ArrayList<>();
        assertThat(log.read(0, 10, 250, out)).isEqualTo(200);
        assertThat(out).hasSize(2);
        assertThat(peek(log, 0).count).isEqualTo(3);
        assertThat(peek(log, 0).bytes).isEqualTo(300);
        assertThat(log.read(0, 1, Long.MAX_VALUE, out)).isEqualTo(100);
        assertThat(out).extracting(r -> r.eventId).containsExactly("r0", "r1", "r2");
    }

    @Test
    void unreadRecordsCostingAQuarterOfTheJournalMakeABatchReadyBeforeItIsFull() {
        long capacity = capacityFor(40);
        assertBatchReadyAtAQuarterOf(capacity, newLog(OverflowPolicy.dropNewest(), capacity, Long.MAX_VALUE, new int[] {500}));
    }

    @Test
    void unreadRecordsCostingAQuarterOfTheSinksQuotaMakeABatchReadyBeforeItIsFull() {
        long quota = capacityFor(16);
        assertBatchReadyAtAQuarterOf(quota, newLog(OverflowPolicy.dropNewest(), capacityFor(40), quota, new int[] {500}));
    }

    /** A batch far from full (500 records) is ready once its records cost a quarter of {@code share}, and wakes the dispatcher then. */
    private void assertBatchReadyAtAQuarterOf(long share, EventLog log) {
        long recordCost = LogRecord.heapBytes(1, 100);
        long needed = (share / SinkTally.READY_SHARE_DIVISOR + recordCost - 1) / recordCost;
        assertThat(needed).as("records that cost a quarter of %d bytes", share).isGreaterThan(1);
        for (int i = 0; i < needed - 1; i++) {
            log.append(record("r" + i, 1));
        }
        assertThat(peek(log, 0).batchReady).as("%d records, short of a quarter", needed - 1).isFalse();
        log.append(record("last", 1));
        assertThat(peek(log, 0).batchReady).as("%d records: a quarter of %d bytes", needed, share).isTrue();
        assertThat(wakes).as("first record, then the quarter").containsExactly("first", "batch");
        log.read(0, 1, Long.MAX_VALUE, new ArrayList<>());
        assertThat(peek(log, 0).batchReady).as("one read: short of a quarter again").isFalse();
    }

    @Test
    void dropNewestRefusesTheIncomingRecordAndReportsItForEachOfItsSinks() {
        EventLog log = log(OverflowPolicy.dropNewest());
        for (int i = 0; i < 3; i++) {
            assertThat(log.append(record("r" + i, BOTH))).isTrue();
        }
        assertThat(log.append(record("late", BOTH))).isFalse();
        assertThat(drops).containsExactly("0:late:OVERFLOW_DROP_NEWEST", "1:late:OVERFLOW_DROP_NEWEST");
        assertHeldPayloadBytes(log, 300);
    }

    @Test
    void closeWakesBlockedAppendersAndRefusesNewOnes() {
        EventLog log = log(OverflowPolicy.block(Duration.ofHours(1)));
        for (int i = 0; i < 3; i++) {
            log.append(record("r" + i, BOTH));
        }
        CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> log.append(record("waits", BOTH)));
        awaitUntil(() -> blockedAppenders(log) == 1);
        log.close();
        assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IllegalStateException.class).hasMessage("EventTracker is closed");
        assertThatThrownBy(() -> log.append(record("after", BOTH))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSinkOverItsQuotaLosesTheRecordButItsOtherSinksKeepIt() {
        EventLog log = newLog(OverflowPolicy.dropNewest(), capacityFor(10), 200, new int[] {10, 10});
        assertThat(log.append(record("a", BOTH))).isTrue();
        assertThat(log.append(record("b", BOTH))).isTrue();
        assertThat(log.append(record("c", BOTH))).as("sink 0 is at its quota; sink 1 too").isFalse();
        assertThat(drops).containsExactly("0:c:SINK_QUOTA_EXCEEDED", "1:c:SINK_QUOTA_EXCEEDED");
        List<LogRecord> out = new ArrayList<>();
        log.read(1, 10, Long.MAX_VALUE, out);
        log.commit(1, EventLog.ALL_READ); // sink 1 finished a and b; sink 0 still holds them
        drops.clear();
        assertThat(log.append(record("d", BOTH))).isTrue();
        assertThat(drops).containsExactly("0:d:SINK_QUOTA_EXCEEDED");
        assertThat(peek(log, 0).count).isEqualTo(2);
        assertThat(peek(log, 1).count).isEqualTo(1);
    }

    @Test
    void aBlockedAppendThatTimesOutStoresNothingAndReportsNoDropEvenForASinkOverItsQuota() throws Exception {
        EventLog log = newLog(OverflowPolicy.block(Duration.ofSeconds(5)), capacityFor(3), 200, new int[] {10, 10});
        long start = log.appendPosition();
        log.append(record("a", BOTH));
        log.append(record("b", BOTH));
        List<LogRecord> out = new ArrayList<>();
        log.read(1, 10, Long.MAX_VALUE, out);
        log.commit(1, EventLog.ALL_READ); // sink 0 still holds a and b: at its quota
        log.append(record("c", 0b10)); // the log is full
        LogRecord d = record("d", BOTH);
        CompletableFuture<Boolean> timesOut = CompletableFuture.supplyAsync(() -> log.append(d));
        awaitUntil(() -> blockedAppenders(log) == 1);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(6));
        assertThatThrownBy(() -> timesOut.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(BufferFullException.class);
        assertThat(drops).as("the caller was refused the whole event: not a drop, for either sink").isEmpty();
        assertThat(peek(log, 0).storedRecords).isEqualTo(2);
        assertThat(peek(log, 1).storedRecords).isEqualTo(3);
        assertThat(log.appendPosition()).isEqualTo(start + 3);
    }

    @Test
    void sequenceNumbersAreContiguousAndSinksSkipRecordsNotForThem() {
        EventLog log = newLog(OverflowPolicy.dropNewest(), 100_000, Long.MAX_VALUE, new int[] {100, 100});
        long start = log.appendPosition();
        for (int i = 0; i < 50; i++) {
            log.append(record("r" + i, i % 3 == 0 ? ONLY_FIRST : BOTH));
        }
        assertThat(log.appendPosition()).isEqualTo(start + 50);
        List<LogRecord> out = new ArrayList<>();
        assertThat(log.read(1, 100, Long.MAX_VALUE, out)).isEqualTo(33 * 100);
        assertThat(out).hasSize(33);
        assertThat(out).allMatch(r -> r.goesTo(1));
        assertThat(out).extracting(r -> r.seq).isSorted();
        log.commit(1, EventLog.ALL_READ);
        out.clear();
        assertThat(log.read(0, 100, Long.MAX_VALUE, out)).isEqualTo(50 * 100);
        assertThat(out).hasSize(50);
        log.commit(0, out.get(10).seq);
        assertHeldPayloadBytes(log, 40 * 100); // records 10.. still pending for sink 0
        log.commit(0, EventLog.ALL_READ);
        assertHeldPayloadBytes(log, 0);
    }

    static EventLog.Unread peek(EventLog log, int sink) {
        EventLog.Unread unread = new EventLog.Unread();
        log.peek(sink, unread);
        return unread;
    }

    /** Spins (yielding) until the condition holds, failing after 10 s of real time. */
    static void awaitUntil(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached within 10 s").isLessThan(deadline);
            Thread.yield();
        }
    }
}
