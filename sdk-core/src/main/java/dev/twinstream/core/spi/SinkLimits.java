package dev.twinstream.core.spi;

import org.jspecify.annotations.Nullable;

/**
 * The hard limits of one sink's destination, declared by the sink and never exceeded by the
 * dispatcher. Bytes are the bytes of the payloads the sink receives (one payload per event, in the
 * sink's {@link dev.twinstream.core.RecordFormat}); a sink that adds per-record overhead (a
 * partition key, framing) declares limits that leave room for it.
 */
public final class SinkLimits {
    private final int maxRecordsPerBatch;
    private final long maxBytesPerBatch;
    private final int maxBytesPerRecord;
    private final int maxPartitionKeyChars;

    private SinkLimits(int maxRecordsPerBatch, long maxBytesPerBatch, int maxBytesPerRecord, int maxPartitionKeyChars) {
        this.maxRecordsPerBatch = maxRecordsPerBatch;
        this.maxBytesPerBatch = maxBytesPerBatch;
        this.maxBytesPerRecord = maxBytesPerRecord;
        this.maxPartitionKeyChars = maxPartitionKeyChars;
    }

    /**
     * Creates limits.
     *
     * @param maxRecordsPerBatch most events in one {@link Sink#send} call, at least 1
     * @param maxBytesPerBatch most payload bytes in one call, at least {@code maxBytesPerRecord}
     * @param maxBytesPerRecord largest payload of a single event, at least 1
     * @return the limits, without a bound on partition keys
     * @throws IllegalArgumentException naming the first value out of range
     */
    public static SinkLimits of(int maxRecordsPerBatch, long maxBytesPerBatch, int maxBytesPerRecord) {
        if (maxRecordsPerBatch < 1) {
            throw new IllegalArgumentException("maxRecordsPerBatch must be at least 1 but was " + maxRecordsPerBatch);
        }
        if (maxBytesPerRecord < 1) {
            throw new IllegalArgumentException("maxBytesPerRecord must be at least 1 but was " + maxBytesPerRecord);
        }
        if (maxBytesPerBatch < maxBytesPerRecord) {
            throw new IllegalArgumentException("maxBytesPerBatch must be at least maxBytesPerRecord ("
                    + maxBytesPerRecord + ") but was " + maxBytesPerBatch);
        }
        return new SinkLimits(maxRecordsPerBatch, maxBytesPerBatch, maxBytesPerRecord, Integer.MAX_VALUE);
    }

    /**
     * These limits with a bound on partition keys: {@code track()} rejects an event whose key has
     * more Unicode code points than the smallest such bound of the sinks it goes to (Kinesis: 256).
     *
     * @param maxChars at least 1
     * @return new limits
     * @throws IllegalArgumentException if {@code maxChars} is below 1
     */
    public SinkLimits withMaxPartitionKeyChars(int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxPartitionKeyChars must be at least 1 but was " + maxChars);
        }
        return new SinkLimits(maxRecordsPerBatch, maxBytesPerBatch, maxBytesPerRecord, maxChars);
    }

    /** {@return the most events in one {@link Sink#send} call} */
    public int maxRecordsPerBatch() {
        return maxRecordsPerBatch;
    }

    /** {@return the most payload bytes in one {@link Sink#send} call} */
    public long maxBytesPerBatch() {
        return maxBytesPerBatch;
    }

    /** {@return the largest payload of a single event; larger events are rejected at {@code track()}} */
    public int maxBytesPerRecord() {
        return maxBytesPerRecord;
    }

    /**
     * {@return the longest partition key in Unicode code points; {@link Integer#MAX_VALUE} (the
     * default) when the destination does not bound it}
     */
    public int maxPartitionKeyChars() {
        return maxPartitionKeyChars;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof SinkLimits)) {
            return false;
        }
        SinkLimits other = (SinkLimits) o;
        return maxRecordsPerBatch == other.maxRecordsPerBatch && maxBytesPerBatch == other.maxBytesPerBatch
                && maxBytesPerRecord == other.maxBytesPerRecord && maxPartitionKeyChars == other.maxPartitionKeyChars;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(maxRecordsPerBatch, maxBytesPerBatch, maxBytesPerRecord, maxPartitionKeyChars);
    }

    @Override
    public String toString() {
        return "SinkLimits{maxRecordsPerBatch=" + maxRecordsPerBatch + ", maxBytesPerBatch=" + maxBytesPerBatch
                + ", maxBytesPerRecord=" + maxBytesPerRecord
                + (maxPartitionKeyChars == Integer.MAX_VALUE ? "" : ", maxPartitionKeyChars=" + maxPartitionKeyChars) + '}';
    }
}
