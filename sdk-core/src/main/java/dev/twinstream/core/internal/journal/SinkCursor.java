package dev.twinstream.core.internal.journal;

import org.jspecify.annotations.Nullable;

/**
 * One sink's place in the {@link DiskLog}: its read and commit positions and counters, what it read
 * and has not committed (the in-flight window), and whether it reads from the files. Guarded by the
 * log's monitor.
 */
final class SinkCursor extends SinkTally {
    /** Read and not yet committed: sequence numbers and payload sizes, oldest first (the in-flight window). */
    long[] readSeqs = new long[64];
    int[] readSizes = new int[64];
    int readHead;
    int readSize;
    long readBytes;
    /** Reading from the files: the sink's next unread record left the window. */
    boolean cold;
    /** Set with {@link #cold} by the appender that evicted the record; the dispatcher picks it up. */
    @Nullable SegmentInfo restartSegment;
    long restartOffset;
    @Nullable LogRecord restartRecord;
    /** Accepted time of the sink's oldest unread record while it reads from the files. */
    long coldOldestNanos = Long.MAX_VALUE;

    SinkCursor(int formatSlot, int wakeRecords, long wakeBytes, long journalBytes, long quotaBytes, long position) {
        super(formatSlot, wakeRecords, wakeBytes, journalBytes, quotaBytes);
        this.readSeq = position;
        this.commitSeq = position;
    }

    long heldBytes() {
        return unreadBytes + readBytes;
    }

    void addRead(long seq, int size) {
        if (readSize == readSeqs.length) {
            long[] seqs = new long[readSeqs.length * 2];
            int[] sizes = new int[seqs.length];
            for (int i = 0; i < readSize; i++) {
                seqs[i] = readSeqs[(readHead + i) % readSeqs.length];
                sizes[i] = readSizes[(readHead + i) % readSeqs.length];
            }
            readSeqs = seqs;
            readSizes = sizes;
            readHead = 0;
        }
        int at = (readHead + readSize) % readSeqs.length;
        readSeqs[at] = seq;
        readSizes[at] = size;
        readSize++;
        readBytes += size;
    }

    void committedBelow(long position) {
        while (readSize > 0 && readSeqs[readHead] < position) {
            readBytes -= readSizes[readHead];
            readHead = (readHead + 1) % readSeqs.length;
            readSize--;
        }
    }
}
