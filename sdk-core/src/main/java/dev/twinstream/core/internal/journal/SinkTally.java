package dev.twinstream.core.internal.journal;

import dev.twinstream.core.DropReason;

/**
 * One sink's cursor and counters as both logs keep them, and the rule both apply to say when the
 * sink's unread records make a batch ready: a full batch, or a quarter of the journal. The second
 * part exists because a batch that waits out its linger holds the journal: with a journal smaller
 * than a few batches (a 2 MiB memory journal under Firehose's 4 MiB batches and 30 s linger), the
 * journal filled while the batch lingered and producers blocked or dropped for the whole linger.
 * The dispatcher is woken when the sink gets its first unread record or its batch becomes ready
 * (once per crossing: a batch already ready does not wake it again).
 * Guarded by the owning log's monitor. {@link MemoryLog} and {@link DiskLog} extend it with what
 * only they need.
 */
class SinkTally {
    /** The share of the journal (or the sink's quota) whose unread records make a batch ready: a quarter. */
    static final int READY_SHARE_DIVISOR = 4;
    /** What {@link #stored} asks of the dispatcher. */
    static final int NO_WAKE = 0;
    static final int WAKE_FIRST_RECORD = 1;
    static final int WAKE_BATCH_READY = 2;

    /** The sink's index in {@link LogRecord#payloads}. */
    final int formatSlot;
    /** The unread count at which the dispatcher is woken (a full batch). */
    final int wakeRecords;
    /** The unread bytes at which the dispatcher is woken. */
    final long wakeBytes;
    /**
     * The unread records' cost, as the journals count it ({@link LogRecord#heapBytes(long, long)}),
     * at which their batch is ready however briefly it lingered.
     */
    final long readyCostBytes;
    long readSeq;
    long commitSeq;
    int unreadCount;
    long unreadBytes;
    /** Records and payload bytes ever stored for the sink: see {@link EventLog.Unread#storedRecords}. */
    long storedRecords;
    long storedBytes;

    /**
     * @param journalBytes the journal's capacity
     * @param quotaBytes the sink's quota; {@code Long.MAX_VALUE} for none. The smaller of the two is
     *     what the journal holds for the sink, and a quarter of it makes a batch ready
     */
    SinkTally(int formatSlot, int wakeRecords, long wakeBytes, long journalBytes, long quotaBytes) {
        this.formatSlot = formatSlot;
        this.wakeRecords = wakeRecords;
        this.wakeBytes = wakeBytes;
        this.readyCostBytes = Math.max(1, Math.min(journalBytes, quotaBytes) / READY_SHARE_DIVISOR);
    }

    /**
     * Counts a stored record of {@code payload} bytes for the sink.
     *
     * @param wake the wake-up already asked for by the record's earlier sinks
     * @return the wake-up to ask for now
     */
    int stored(int payload, int wake) {
        storedRecords++;
        storedBytes += payload;
        boolean wasReady = isBatchReady(unreadCount, unreadBytes);
        int count = ++unreadCount;
        unreadBytes += payload;
        if (!wasReady && isBatchReady(count, unreadBytes)) {
            return WAKE_BATCH_READY;
        }
        return count == 1 && wake == NO_WAKE ? WAKE_FIRST_RECORD : wake;
    }

    /** The batch rule: a full batch (records or bytes), or records that cost a quarter of the journal. */
    private boolean isBatchReady(int count, long bytes) {
        return count >= wakeRecords || bytes >= wakeBytes || LogRecord.heapBytes(count, bytes) >= readyCostBytes;
    }

    /** Fills what {@link EventLog#peek} reports from the counters (the oldest time is the log's to find). */
    void fill(EventLog.Unread out) {
        out.count = unreadCount;
        out.bytes = unreadBytes;
        out.readPosition = readSeq;
        out.storedRecords = storedRecords;
        out.storedBytes = storedBytes;
        out.oldestNanos = Long.MAX_VALUE;
        out.batchReady = isBatchReady(unreadCount, unreadBytes);
    }

    /** Reports {@code record} dropped for every sink in {@code sinksMask}; outside the log's monitor. */
    static void reportDrops(LogObserver observer, int sinks, LogRecord record, DropReason reason, int sinksMask) {
        for (int s = 0; s < sinks; s++) {
            if ((sinksMask & (1 << s)) != 0) {
                observer.dropped(s, record, reason);
            }
        }
    }
}
