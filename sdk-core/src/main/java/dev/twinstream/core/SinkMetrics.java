package dev.twinstream.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of one sink's counters, taken by {@link EventTracker#metrics()}. Counts are since the
 * tracker was built. Conservation holds at every quiescent moment:
 * {@code accepted == delivered + deadLettered + dropped + pendingRecords}.
 *
 * <p><b>Batch sizes.</b> Besides the totals ({@link #batchesSent()}, {@link #batchRecordsSent()},
 * {@link #batchBytesSent()}), the dispatcher counts each {@code send} call in one of
 * {@value #BATCH_RECORDS_BUCKETS} power-of-two buckets by its number of records
 * ({@link #batchRecordsHistogram()}): one increment per call, never per event.
 */
public final class SinkMetrics {
    /**
     * Number of buckets of {@link #batchRecordsHistogram()}: bucket {@code i} has the upper bound
     * {@code 2^i} ({@link #batchRecordsBucketUpperBound(int)}), so the last one reaches
     * {@code 2^31}, beyond any batch.
     */
    public static final int BATCH_RECORDS_BUCKETS = 32;

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
    private final List<Long> batchRecordsHistogram;

    /**
     * Creates a snapshot without a batch-size histogram (every bucket 0).
     *
     * @param sink the sink's name
     * @param accepted events accepted for the sink
     * @param delivered events delivered
     * @param retried retries scheduled
     * @param deadLettered events dead-lettered
     * @param droppedByReason events dropped, by reason; a missing reason counts 0
     * @param pendingBytes payload bytes of the pending events
     * @param inFlightRequests {@code send} calls outstanding
     * @param batchesSent {@code send} calls made
     * @param batchRecordsSent records in those calls
     * @param batchBytesSent payload bytes in those calls
     * @param oldestPendingAge age of the oldest pending event, zero when none
     */
    public SinkMetrics(String sink, long accepted, long delivered, long retried, long deadLettered,
                       Map<DropReason, Long> droppedByReason, long pendingBytes, int inFlightRequests,
                       long batchesSent, long batchRecordsSent, long batchBytesSent, Duration oldestPendingAge) {
        this(sink, accepted, delivered, retried, deadLettered, droppedByReason, pendingBytes, inFlightRequests,
                batchesSent, batchRecordsSent, batchBytesSent, oldestPendingAge, new long[BATCH_RECORDS_BUCKETS]);
    }

    /**
     * Creates a snapshot; the tracker does this.
     *
     * @param sink the sink's name
     * @param accepted events accepted for the sink
     * @param delivered events delivered
     * @param retried retries scheduled
     * @param deadLettered events dead-lettered
     * @param droppedByReason events dropped, by reason; a missing reason counts 0
     * @param pendingBytes payload bytes of the pending events
     * @param inFlightRequests {@code send} calls outstanding
     * @param batchesSent {@code send} calls made
     * @param batchRecordsSent records in those calls
     * @param batchBytesSent payload bytes in those calls
     * @param oldestPendingAge age of the oldest pending event, zero when none
     * @param batchRecordsHistogram {@code send} calls per bucket (see {@link #batchRecordsHistogram()});
     *     copied; missing trailing buckets count 0
     * @throws IllegalArgumentException if {@code batchRecordsHistogram} has more than
     *     {@value #BATCH_RECORDS_BUCKETS} buckets
     */
    public SinkMetrics(String sink, long accepted, long delivered, long retried, long deadLettered,
                       Map<DropReason, Long> droppedByReason, long pendingBytes, int inFlightRequests,
                       long batchesSent, long batchRecordsSent, long batchBytesSent, Duration oldestPendingAge,
                       long[] batchRecordsHistogram) {
        if (batchRecordsHistogram.length > BATCH_RECORDS_BUCKETS) {
            throw new IllegalArgumentException("batchRecordsHistogram has " + batchRecordsHistogram.length
                    + " buckets; at most " + BATCH_RECORDS_BUCKETS + " are defined");
        }
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
        List<Long> buckets = new ArrayList<>(BATCH_RECORDS_BUCKETS);
        for (int i = 0; i < BATCH_RECORDS_BUCKETS; i++) {
            buckets.add(i < batchRecordsHistogram.length ? batchRecordsHistogram[i] : 0L);
        }
        this.batchRecordsHistogram = Collections.unmodifiableList(buckets);
    }

    /** {@return the sink's name} */
    public String sink() {
        return sink;
    }

    /** {@return events accepted for this sink (including replayed dead letters and events later dropped)} */
    public long accepted() {
        return accepted;
    }

    /** {@return events the destination accepted} */
    public long delivered() {
        return delivered;
    }

    /** {@return retries scheduled (one event retried three times counts three)} */
    public long retried() {
        return retried;
    }

    /** {@return events handed to dead-letter handling} */
    public long deadLettered() {
        return deadLettered;
    }

    /** {@return events dropped, by reason (every reason present, zero when none); unmodifiable} */
    public Map<DropReason, Long> droppedByReason() {
        return droppedByReason;
    }

    /** {@return events dropped for any reason} */
    public long dropped() {
        return dropped;
    }

    /** {@return events accepted and not yet delivered, dead-lettered or dropped: waiting, in flight or retrying} */
    public long pendingRecords() {
        return pendingRecords;
    }

    /** {@return payload bytes (in this sink's format) of the pending events} */
    public long pendingBytes() {
        return pendingBytes;
    }

    /** {@return {@code send} calls currently outstanding} */
    public int inFlightRequests() {
        return inFlightRequests;
    }

    /** {@return {@code send} calls made, including retries} */
    public long batchesSent() {
        return batchesSent;
    }

    /** {@return records in all {@code send} calls, including retries} */
    public long batchRecordsSent() {
        return batchRecordsSent;
    }

    /** {@return payload bytes in all {@code send} calls, including retries} */
    public long batchBytesSent() {
        return batchBytesSent;
    }

    /**
     * The number of records per {@code send} call as a histogram: element {@code i} counts the calls
     * of more than {@code 2^(i-1)} and at most {@code 2^i} records (element 0: at most 1 record,
     * element 1: 2, element 2: 3 or 4, element 3: 5 to 8, …). Retries are calls too. The elements
     * add up to {@link #batchesSent()} (in a snapshot taken while a call is being made, one of the
     * two may already include it).
     *
     * @return {@value #BATCH_RECORDS_BUCKETS} counts, unmodifiable
     */
    public List<Long> batchRecordsHistogram() {
        return batchRecordsHistogram;
    }

    /**
     * The upper bound (inclusive) of a bucket of {@link #batchRecordsHistogram()}.
     *
     * @param bucket a bucket index, from 0 to {@code BATCH_RECORDS_BUCKETS - 1}
     * @return {@code 2^bucket}
     * @throws IndexOutOfBoundsException if there is no such bucket
     */
    public static long batchRecordsBucketUpperBound(int bucket) {
        if (bucket < 0 || bucket >= BATCH_RECORDS_BUCKETS) {
            throw new IndexOutOfBoundsException("bucket " + bucket + " of " + BATCH_RECORDS_BUCKETS);
        }
        return 1L << bucket;
    }

    /** {@return mean records per {@code send} call, 0 if none} */
    public double meanBatchRecords() {
        return batchesSent == 0 ? 0 : (double) batchRecordsSent / batchesSent;
    }

    /** {@return mean payload bytes per {@code send} call, 0 if none} */
    public double meanBatchBytes() {
        return batchesSent == 0 ? 0 : (double) batchBytesSent / batchesSent;
    }

    /** {@return how long the oldest pending event has been waiting; zero when nothing is pending} */
    public Duration oldestPendingAge() {
        return oldestPendingAge;
    }

    /** {@return whether {@code accepted == delivered + deadLettered + dropped + pendingRecords} with non-negative pending} */
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
