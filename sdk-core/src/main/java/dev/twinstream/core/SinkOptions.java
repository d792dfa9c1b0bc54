package dev.twinstream.core;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How the tracker feeds one sink: its record format, batching, concurrency and retry policy.
 * Immutable; every method returns a new value. Validated against the sink's declared limits when
 * the tracker is built.
 *
 * <p>A batch is sent as soon as it reaches {@link #maxBatchRecords()} or {@link #maxBatchBytes()},
 * or when its oldest event has waited {@link #linger()}, or when its events take a quarter of the
 * journal's {@link Journal#maxBytes()} (or of {@link Journal#perSinkQuotaBytes()}), or on
 * {@code flush}/{@code close}. By
 * default the linger is the sink's own latency budget,
 * {@link dev.twinstream.core.spi.SinkLimits#defaultLinger()} (seconds for Firehose, sub-second for
 * Kinesis, {@link #DEFAULT_LINGER} for sinks that declare none).
 */
public final class SinkOptions {

    /** The linger of a sink that declares no default latency budget of its own: 100 ms. */
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(100);
    /** Default number of concurrent {@code send} calls per sink: 4. */
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 4;
    /**
     * Value of {@link #maxBatchRecords()} and {@link #maxBatchBytes()} meaning "the sink's own limit":
     * 0, the default. Any other value must lie between 1 and the sink's limit; {@code build()} rejects
     * negative values and values above the sink's limit.
     */
    public static final int SINK_LIMIT = 0;
    /**
     * Value of {@link #linger()} meaning "the sink's default latency budget",
     * {@link dev.twinstream.core.spi.SinkLimits#defaultLinger()}: the default. A marker (-1 ns),
     * resolved when the tracker is built; any other linger must lie between 0 and 1 minute.
     */
    public static final Duration SINK_DEFAULT_LINGER = Duration.ofNanos(-1);

    private static final SinkOptions DEFAULT = new SinkOptions(RecordFormat.jsonLines(), SINK_LIMIT, SINK_LIMIT,
            SINK_DEFAULT_LINGER, DEFAULT_MAX_IN_FLIGHT_REQUESTS, null);

    private final RecordFormat format;
    private final int maxBatchRecords;
    private final long maxBatchBytes;
    private final Duration linger;
    private final int maxInFlightRequests;
    private final @Nullable RetryPolicy retry;

    private SinkOptions(RecordFormat format, int maxBatchRecords, long maxBatchBytes, Duration linger,
                        int maxInFlightRequests, @Nullable RetryPolicy retry) {
        this.format = format;
        this.maxBatchRecords = maxBatchRecords;
        this.maxBatchBytes = maxBatchBytes;
        this.linger = linger;
        this.maxInFlightRequests = maxInFlightRequests;
        this.retry = retry;
    }

    /**
     * JSON lines, batches as large as the sink allows, the sink's default linger, 4 requests in flight, the
     * tracker's retry policy.
     *
     * @return the default options
     */
    public static SinkOptions defaults() {
        return DEFAULT;
    }

    /**
     * How events are encoded for this sink. Events are encoded once per distinct format.
     *
     * @param format the record format
     * @return the same options with this format
     */
    public SinkOptions format(RecordFormat format) {
        return new SinkOptions(Objects.requireNonNull(format, "format"), maxBatchRecords, maxBatchBytes, linger,
                maxInFlightRequests, retry);
    }

    /**
     * Most events per {@code send}: between 1 and the sink's
     * {@link dev.twinstream.core.spi.SinkLimits#maxRecordsPerBatch()}, or {@link #SINK_LIMIT} (0, the
     * default) for exactly the sink's limit. Anything else fails {@code build()} with a
     * {@link ConfigurationException} naming the field, the limit and the value.
     *
     * @param maxBatchRecords most events per call, or {@link #SINK_LIMIT}
     * @return the same options with this batch size
     */
    public SinkOptions maxBatchRecords(int maxBatchRecords) {
        return new SinkOptions(format, maxBatchRecords, maxBatchBytes, linger, maxInFlightRequests, retry);
    }

    /**
     * Most payload bytes per {@code send}: between 1 and the sink's
     * {@link dev.twinstream.core.spi.SinkLimits#maxBytesPerBatch()}, or {@link #SINK_LIMIT} (0, the
     * default) for exactly the sink's limit. Anything else fails {@code build()} with a
     * {@link ConfigurationException} naming the field, the limit and the value.
     *
     * @param maxBatchBytes most payload bytes per call, or {@link #SINK_LIMIT}
     * @return the same options with this batch size in bytes
     */
    public SinkOptions maxBatchBytes(long maxBatchBytes) {
        return new SinkOptions(format, maxBatchRecords, maxBatchBytes, linger, maxInFlightRequests, retry);
    }

    /**
     * How long a partial batch may wait for more events: between 0 and 1 minute, or
     * {@link #SINK_DEFAULT_LINGER} (the default) for the sink's
     * {@link dev.twinstream.core.spi.SinkLimits#defaultLinger()}.
     *
     * @param linger the longest wait of a partial batch, or {@link #SINK_DEFAULT_LINGER}
     * @return the same options with this linger
     */
    public SinkOptions linger(Duration linger) {
        return new SinkOptions(format, maxBatchRecords, maxBatchBytes, Objects.requireNonNull(linger, "linger"),
                maxInFlightRequests, retry);
    }

    /**
     * Most concurrent {@code send} calls to this sink.
     *
     * @param maxInFlightRequests most concurrent calls
     * @return the same options with this concurrency
     */
    public SinkOptions maxInFlightRequests(int maxInFlightRequests) {
        return new SinkOptions(format, maxBatchRecords, maxBatchBytes, linger, maxInFlightRequests, retry);
    }

    /**
     * A retry policy for this sink instead of the tracker's.
     *
     * @param retry the sink's retry policy
     * @return the same options with this retry policy
     */
    public SinkOptions retry(RetryPolicy retry) {
        return new SinkOptions(format, maxBatchRecords, maxBatchBytes, linger, maxInFlightRequests,
                Objects.requireNonNull(retry, "retry"));
    }

    /** {@return the record format} */
    public RecordFormat format() {
        return format;
    }

    /** {@return most events per call, or {@link #SINK_LIMIT}} */
    public int maxBatchRecords() {
        return maxBatchRecords;
    }

    /** {@return most payload bytes per call, or {@link #SINK_LIMIT}} */
    public long maxBatchBytes() {
        return maxBatchBytes;
    }

    /** {@return the linger, or {@link #SINK_DEFAULT_LINGER} for the sink's default} */
    public Duration linger() {
        return linger;
    }

    /** {@return most concurrent calls} */
    public int maxInFlightRequests() {
        return maxInFlightRequests;
    }

    /** {@return this sink's retry policy, or {@code null} to use the tracker's} */
    public @Nullable RetryPolicy retry() {
        return retry;
    }
}
