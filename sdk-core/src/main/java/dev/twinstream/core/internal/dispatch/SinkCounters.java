package dev.twinstream.core.internal.dispatch;

import dev.twinstream.core.DropReason;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.internal.journal.EventLog;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One sink's counters: the single place where outcomes are counted, so conservation
 * ({@code accepted = delivered + deadLettered + dropped + pending}) can be checked from one
 * snapshot. Written by application threads (drops on overflow) and the dispatcher.
 *
 * <p>{@code accepted} is not counted here per event: it is what the log stored for the sink (counted
 * under the lock the append holds anyway, see {@link EventLog.Unread#storedRecords}) plus the events
 * dropped before they were stored. Counting it here cost every producer two shared counters per sink.
 */
public final class SinkCounters {
    private static final DropReason[] REASONS = DropReason.values();
    /** Drops of an incoming event the log did not store for the sink: accepted, but not in the log's count. */
    private static final Set<DropReason> DROPPED_BEFORE_STORED = EnumSet.of(
            DropReason.OVERFLOW_DROP_NEWEST, DropReason.SINK_QUOTA_EXCEEDED, DropReason.JOURNAL_WRITE_FAILED);

    final String sink;
    private final int index;
    private final EventLog log;
    private final AtomicLong droppedBeforeStored = new AtomicLong();
    private final AtomicLong droppedBeforeStoredBytes = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong deliveredBytes = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong deadLetteredBytes = new AtomicLong();
    private final AtomicLongArray dropped = new AtomicLongArray(REASONS.length);
    private final AtomicLong droppedBytes = new AtomicLong();
    private final AtomicLong batchesSent = new AtomicLong();
    private final AtomicLong batchRecordsSent = new AtomicLong();
    private final AtomicLong batchBytesSent = new AtomicLong();
    /** Per bucket, {@code send} calls whose record count fell in it (see {@link SinkMetrics#batchRecordsHistogram()}). */
    private final AtomicLongArray batchRecordsBuckets = new AtomicLongArray(SinkMetrics.BATCH_RECORDS_BUCKETS);
    volatile int inFlightRequests;
    /** Accepted time of the oldest read-but-unfinished record, or Long.MAX_VALUE; published by the dispatcher. */
    volatile long oldestUnfinishedNanos = Long.MAX_VALUE;

    SinkCounters(String sink, int index, EventLog log) {
        this.sink = sink;
        this.index = index;
        this.log = log;
    }

    void delivered(long records, long bytes) {
        delivered.addAndGet(records);
        deliveredBytes.addAndGet(bytes);
    }

    void retried(long records) {
        retried.addAndGet(records);
    }

    void deadLettered(int bytes) {
        deadLettered.incrementAndGet();
        deadLetteredBytes.addAndGet(bytes);
    }

    public void dropped(DropReason reason, int bytes) {
        if (DROPPED_BEFORE_STORED.contains(reason)) {
            droppedBeforeStored.incrementAndGet(); // before the drop, so pending never reads negative
            droppedBeforeStoredBytes.addAndGet(bytes);
        }
        dropped.incrementAndGet(reason.ordinal());
        droppedBytes.addAndGet(bytes);
    }

    void batchSent(int records, long bytes) {
        batchRecordsBuckets.incrementAndGet(batchRecordsBucket(records));
        batchesSent.incrementAndGet();
        batchRecordsSent.addAndGet(records);
        batchBytesSent.addAndGet(bytes);
    }

    /**
     * The histogram bucket of a {@code send} call of {@code records} records: the smallest {@code i}
     * with {@code records <= 2^i} (0 for 0 or 1 record, 31 up to {@link Integer#MAX_VALUE}).
     */
    static int batchRecordsBucket(int records) {
        return records <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(records - 1);
    }

    /** Events not yet final; reads the terminal counters before {@code accepted} so it never goes negative. */
    public long pendingRecords() {
        long done = delivered.get() + deadLettered.get();
        for (int i = 0; i < REASONS.length; i++) {
            done += dropped.get(i);
        }
        EventLog.Unread unread = new EventLog.Unread();
        log.peek(index, unread);
        return unread.storedRecords + droppedBeforeStored.get() - done;
    }

    public SinkMetrics snapshot(long nowNanos) {
        long d = delivered.get();
        long dl = deadLettered.get();
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        for (DropReason reason : REASONS) {
            drops.put(reason, dropped.get(reason.ordinal()));
        }
        long doneBytes = deliveredBytes.get() + deadLetteredBytes.get() + droppedBytes.get();
        EventLog.Unread unread = new EventLog.Unread();
        log.peek(index, unread);
        long a = unread.storedRecords + droppedBeforeStored.get();
        long pendingBytes = unread.storedBytes + droppedBeforeStoredBytes.get() - doneBytes;
        long oldest = Math.min(oldestUnfinishedNanos, unread.oldestNanos);
        long[] buckets = new long[SinkMetrics.BATCH_RECORDS_BUCKETS];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = batchRecordsBuckets.get(i);
        }
        Duration age = oldest == Long.MAX_VALUE ? Duration.ZERO : Duration.ofNanos(Math.max(0, nowNanos - oldest));
        return new SinkMetrics(sink, a, d, retried.get(), dl, drops, pendingBytes, inFlightRequests,
                batchesSent.get(), batchRecordsSent.get(), batchBytesSent.get(), age, buckets);
    }
}
