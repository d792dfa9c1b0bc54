package dev.twinstream.core;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of one sink's counters, taken by {@link EventTracker#metrics()}. Counts are since the
 * tracker was built. Conservation holds at every quiescent moment:
 * {@code accepted == delivered + deadLettered + dropped + pendingRecords}.
 */
public final class SinkMetrics {
    private final String sink;
    private final long accepted;
    private final long delivered;
    private final long retried;
    private final long deadLettered;
    private final Map<DropReason, Long> droppedByReason;
    private final long dropped;
    private final long pendingRecords;
    private final long pendingBytes;
    private final int inFlightRequests;
    private final long batchesSent;
    private final long batchRecordsSent;
    private final long batchBytesSent;
    private final Duration oldestPendingAge;

    /** Creates a snapshot; the tracker does this. */
    public SinkMetrics(String sink, long accepted, long delivered, long retried, long deadLettered,
                       Map<DropReason, Long> droppedByReason, long pendingBytes, int inFlightRequests,
                       long batchesSent, long batchRecordsSent, long batchBytesSent, Duration oldestPendingAge) {
        this.sink = sink;
        this.accepted = accepted;
        this.delivered = delivered;
        this.retried = retried;
        this.deadLettered = deadLettered;
        EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        long total = 0;
        for (DropReason reason : DropReason.values()) {
            long n = droppedByReason.getOrDefault(reason, 0L);
            drops.put(reason, n);
            total += n;
        }
        this.droppedByReason = Collections.unmodifiableMap(drops);
        this.dropped = total;
        this.pendingRecords = accepted - delivered - deadLettered - total;
        this.pendingBytes = pendingBytes;
        this.inFlightRequests = inFlightRequests;
        this.batchesSent = batchesSent;
        this.batchRecordsSent = batchRecordsSent;
        this.batchBytesSent = batchBytesSent;
        this.oldestPendingAge = oldestPendingAge;
    }

    /** The sink's name. */
    public String sink() {
        return sink;
    }

    /** Events accepted for this sink (including replayed dead letters and events later dropped). */
    public long accepted() {
        return accepted;
    }

    /** Events the destination accepted. */
    public long delivered() {
        return delivered;
    }

    /** Retries scheduled (one event retried three times counts three). */
    public long retried() {
        return retried;
    }

    /** Events handed to dead-letter handling. */
    public long deadLettered() {
        return deadLettered;
    }

    /** Events dropped, by reason (every reason present, zero when none). */
    public Map<DropReason, Long> droppedByReason() {
        return droppedByReason;
    }

    /** Events dropped for any reason. */
    public long dropped() {
        return dropped;
    }

    /** Events accepted and not yet delivered, dead-lettered or dropped: waiting, in flight or retrying. */
    public long pendingRecords() {
        return pendingRecords;
    }

    /** Payload bytes (in this sink's format) of the pending events. */
    public long pendingBytes() {
        return pendingBytes;
    }

    /** {@code send} calls currently outstanding. */
    public int inFlightRequests() {
        return inFlightRequests;
    }

    /** {@code send} calls made, including retries. */
    public long batchesSent() {
        return batchesSent;
    }

    /** Mean records per {@code send} call, 0 if none. */
    public double meanBatchRecords() {
        return batchesSent == 0 ? 0 : (double) batchRecordsSent / batchesSent;
    }

    /** Mean payload bytes per {@code send} call, 0 if none. */
    public double meanBatchBytes() {
        return batchesSent == 0 ? 0 : (double) batchBytesSent / batchesSent;
    }

    /** How long the oldest pending event has been waiting; zero when nothing is pending. */
    public Duration oldestPendingAge() {
        return oldestPendingAge;
    }

    /** Whether {@code accepted == delivered + deadLettered + dropped + pendingRecords} with non-negative pending. */
    public boolean isConserved() {
        return pendingRecords >= 0 && accepted == delivered + deadLettered + dropped + pendingRecords;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "%s: accepted=%d delivered=%d retried=%d deadLettered=%d dropped=%d pending=%d (%d bytes) "
                        + "inFlight=%d batches=%d meanBatch=%.1f records/%.0f bytes oldestPending=%dms",
                sink, accepted, delivered, retried, deadLettered, dropped, pendingRecords, pendingBytes,
                inFlightRequests, batchesSent, meanBatchRecords(), meanBatchBytes(), oldestPendingAge.toMillis());
    }
}
