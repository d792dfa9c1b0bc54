package dev.twinstream.core.internal.journal;

import java.util.List;

/**
 * The event journal shared by all sinks: an append-only sequence of {@link LogRecord}s with one
 * read cursor and one commit position per sink. A record is released once every sink it goes to
 * has committed past it. {@link MemoryLog} implements it in memory; {@link DiskLog} implements the
 * same contract with segment files and a bounded memory window.
 *
 * <p>{@link #append} is called by application threads; every other method only by the dispatcher
 * (one thread at a time). Implementations are thread-safe.
 */
public interface EventLog {

    /**
     * Appends a record, applying the overflow policy when full.
     *
     * @return true if appended; false if the policy dropped it (the drop was already reported)
     * @throws dev.twinstream.core.BufferFullException if BLOCK timed out
     * @throws IllegalStateException if the log was closed
     */
    boolean append(LogRecord record);

    /**
     * Moves up to {@code maxRecords} records bound for {@code sink}, whose payloads for it total at
     * most {@code maxBytes}, from the sink's unread position into {@code out}.
     *
     * @return the total payload bytes, for {@code sink}, of the records added (how many were added is
     *     what {@code out} grew by): the dispatcher sizes its batch without loading each record
     */
    long read(int sink, int maxRecords, long maxBytes, List<LogRecord> out);

    /**
     * Adds to {@code out} the sink's unread records that carry a receipt, without reading the rest:
     * what a close that leaves them pending must still answer (their receipts complete as not delivered).
     */
    void unreadWithReceipts(int sink, List<LogRecord> out);

    /** Fills {@code out} with the sink's unread records: count, bytes, oldest accepted time, read position. */
    void peek(int sink, Unread out);

    /** The sequence number the next appended record will get. */
    long appendPosition();

    /** {@link #commit} argument meaning "everything the sink has read". */
    long ALL_READ = Long.MAX_VALUE;

    /**
     * Declares every record of {@code sink} below {@code seq} final (delivered, dead-lettered or
     * dropped); {@link #ALL_READ} means below the sink's read position.
     */
    void commit(int sink, long seq);

    /** Bytes held. */
    long sizeBytes();

    /** Refuses further appends and wakes blocked appenders, which then throw {@link IllegalStateException}. */
    void close();

    /** What {@link #peek} reports; a reusable holder owned by the caller. */
    final class Unread {
        /** Unread records bound for the sink. */
        public int count;
        /** Sum of the sink's payload sizes of those records. */
        public long bytes;
        /** Accepted time of the oldest of them, or {@link Long#MAX_VALUE} if none. */
        public long oldestNanos;
        /**
         * Whether they make a batch that goes now, whatever its linger: a full batch, or a quarter of
         * the journal's capacity (or the sink's quota) as the journal counts it (see {@link SinkTally}).
         */
        public boolean batchReady;
        /** The sequence number the sink reads next. */
        public long readPosition;
        /**
         * Records bound for the sink ever stored in the log (appended or restored), and their payload
         * bytes: counted under the log's lock, where an append already is, rather than by every
         * producer thread on shared counters.
         */
        public long storedRecords;
        public long storedBytes;
    }
}
