package dev.twinstream.core.spi;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The hard limits of one sink's destination, declared by the sink and never exceeded by the
 * dispatcher. Bytes are the bytes of the payloads the sink receives (one payload per event, in the
 * sink's {@link dev.twinstream.core.RecordFormat}); a sink that adds per-record overhead (a
 * partition key, framing) declares limits that leave room for it.
 */
public final class SinkLimits {
    /** The longest default linger a sink may declare: 1 minute, the longest linger options accept. */
    private static final Duration MAX_DEFAULT_LINGER = Duration.ofMinutes(1);

    private final int maxRecordsPerBatch;
    private final long maxBytesPerBatch;
    private final int maxBytesPerRecord;
    private final int maxPartitionKeyChars;
    private final int billingUnitBytes;
    private final Duration defaultLinger;

    private SinkLimits(int maxRecordsPerBatch, long maxBytesPerBatch, int maxBytesPerRecord, int maxPartitionKeyChars,
                       int billingUnitBytes, Duration defaultLinger) {
        this.maxRecordsPerBatch = maxRecordsPerBatch;
        this.maxBytesPerBatch = maxBytesPerBatch;
        this.maxBytesPerRecord = maxBytesPerRecord;
        this.maxPartitionKeyChars = maxPartitionKeyChars;
        this.billingUnitBytes = billingUnitBytes;
        this.defaultLinger = defaultLinger;
    }

    /**
     * Creates limits.
     *
     * @param maxRecordsPerBatch most events in one {@link Sink#send} call, at least 1
     * @param maxBytesPerBatch most payload bytes in one call, at least {@code maxBytesPerRecord}
     * @param maxBytesPerRecord largest payload of a single event, at least 1
     * @return the limits, without a bound on partition keys, billed per byte ({@link #billingUnitBytes()}
     *     1), with {@link dev.twinstream.core.SinkOptions#DEFAULT_LINGER} as the default linger
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
        return new SinkLimits(maxRecordsPerBatch, maxBytesPerBatch, maxBytesPerRecord, Integer.MAX_VALUE, 1,
                dev.twinstream.core.SinkOptions.DEFAULT_LINGER);
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
        return new SinkLimits(maxRecordsPerBatch, maxBytesPerBatch, maxBytesPerRecord, maxChars, billingUnitBytes,
                defaultLinger);
    }

    /**
     * These limits with the destination's billing unit: the service bills each record it stores
     * rounded up to a multiple of this many bytes (Firehose: 5 KB, Kinesis provisioned: 25 KB PUT
     * payload units). Informational for users and for sinks that size their records to it; the
     * dispatcher's batching does not depend on it.
     *
     * @param bytes at least 1 (1: billed per byte)
     * @return new limits
     * @throws IllegalArgumentException if {@code bytes} is below 1
     */
    public SinkLimits withBillingUnitBytes(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("billingUnitBytes must be at least 1 but was " + bytes);
        }
        return new SinkLimits(maxRecordsPerBatch, maxBytesPerBatch, maxBytesPerRecord, maxPartitionKeyChars, bytes,
                defaultLinger);
    }

    /**
     * These limits with the sink's default latency budget: the linger used when the sink's options
     * leave it at {@link dev.twinstream.core.SinkOptions#SINK_DEFAULT_LINGER}. A sink whose service
     * bills per record or per request declares a linger long enough to fill its records.
     *
     * @param linger between 0 and 1 minute
     * @return new limits
     * @throws IllegalArgumentException if {@code linger} is negative or longer than 1 minute
     */
    public SinkLimits withDefaultLinger(Duration linger) {
        Objects.requireNonNull(linger, "linger");
        if (linger.isNegative() || linger.compareTo(MAX_DEFAULT_LINGER) > 0) {
            throw new IllegalArgumentException("defaultLinger must be between 0 and 1 minute but was " + linger);
        }
        return new SinkLimits(maxRecordsPerBatch, maxBytesPerBatch, maxBytesPerRecord, maxPartitionKeyChars,
                billingUnitBytes, linger);
    }

    /**
     * {@return the bytes the destination rounds each stored record up to a multiple of; 1 (the
     * default) when it bills per byte or the sink does not say}
     */
    public int billingUnitBytes() {
        return billingUnitBytes;
    }

    /**
     * {@return the sink's default latency budget: the linger of a sink whose options say
     * {@link dev.twinstream.core.SinkOptions#SINK_DEFAULT_LINGER}; {@link dev.twinstream.core.SinkOptions#DEFAULT_LINGER}
     * unless the sink declares another}
     */
    public Duration defaultLinger() {
        return defaultLinger;
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
                && maxBytesPerRecord == other.maxBytesPerRecord && maxPartitionKeyChars == other.maxPartitionKeyChars
                && billingUnitBytes == other.billingUnitBytes && defaultLinger.equals(other.defaultLinger);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxRecordsPerBatch, maxBytesPerBatch, maxBytesPerRecord, maxPartitionKeyChars,
                billingUnitBytes, defaultLinger);
    }

    @Override
    public String toString() {
        return "SinkLimits{maxRecordsPerBatch=" + maxRecordsPerBatch + ", maxBytesPerBatch=" + maxBytesPerBatch
                + ", maxBytesPerRecord=" + maxBytesPerRecord
                + (maxPartitionKeyChars == Integer.MAX_VALUE ? "" : ", maxPartitionKeyChars=" + maxPartitionKeyChars)
                + (billingUnitBytes == 1 ? "" : ", billingUnitBytes=" + billingUnitBytes)
                + ", defaultLinger=" + defaultLinger + '}';
    }
}
