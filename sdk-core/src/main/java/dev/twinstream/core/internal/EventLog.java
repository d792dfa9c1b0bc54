package dev.twinstream.core.internal;

import java.util.List;

/**
 * The event journal shared by all sinks: an append-only sequence of {@link LogRecord}s with one
 * read cursor and one commit position per sink. A record is released once every sink it goes to
 * has committed past it. The in-memory log implements it now; the disk journal is meant to be a
 * second implementation of the same contract.
 *
 * <p>{@link #append} is called by application threads; every other method only by the dispatcher
 * (one thread at a time). Implementations are thread-safe.
 */
interface EventLog {

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
     * @return the number of records added
     */
    int read(int sink, int maxRecords, long maxBytes, List<LogRecord> out);

    /** Records bound for the sink that it has not read yet. */
    int unreadCount(int sink);

    /** Sum of the sink's payload sizes of its unread records. */
    long unreadBytes(int sink);

    /** The accepted time of the sink's oldest unread record, or {@link Long#MAX_VALUE} if none. */
    long oldestUnreadNanos(int sink);

    /** The sequence number the sink will read next (records below it were read or are not its). */
    long readPosition(int sink);

    /** The sequence number the next appended record will get. */
    long appendPosition();

    /** Declares every record of {@code sink} below {@code seq} final (delivered, dead-lettered or dropped). */
    void commit(int sink, long seq);

    /** Bytes held. */
    long sizeBytes();

    /** Refuses further appends and wakes blocked appenders, which then throw {@link IllegalStateException}. */
    void close();
}
