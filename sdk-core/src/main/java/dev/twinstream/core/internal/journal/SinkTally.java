package dev.twinstream.core.internal.journal;

import dev.twinstream.core.DropReason;

/**
 * One sink's cursor and counters as both logs keep them, and the wake-up rule both apply when a
 * record is stored: wake the dispatcher when the sink gets its first unread record, or when its
 * unread records reach a full batch. Guarded by the owning log's monitor. {@link MemoryLog} and
 * {@link DiskLog} extend it with what only they need.
 */
class SinkTally {
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
    long readSeq;
    long commitSeq;
    int unreadCount;
    long unreadBytes;
    /** Records and payload bytes ever stored for the sink: see {@link EventLog.Unread#storedRecords}. */
    long storedRecords;
    long storedBytes;

    SinkTally(int formatSlot, int wakeRecords, long wakeBytes) {
        this.formatSlot = formatSlot;
        this.wakeRecords = wakeRecords;
        this.wakeBytes = wakeBytes;
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
        int count = ++unreadCount;
        long before = unreadBytes;
        unreadBytes = before + payload;
        if (count == wakeRecords || (before < wakeBytes && before + payload >= wakeBytes)) {
            return WAKE_BATCH_READY;
        }
        return count == 1 && wake == NO_WAKE ? WAKE_FIRST_RECORD : wake;
    }

    /** Fills what {@link EventLog#peek} reports from the counters (the oldest time is the log's to find). */
    void fill(EventLog.Unread out) {
        out.count = unreadCount;
        out.bytes = unreadBytes;
        out.readPosition = readSeq;
        out.storedRecords = storedRecords;
        out.storedBytes = storedBytes;
        out.oldestNanos = Long.MAX_VALUE;
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
