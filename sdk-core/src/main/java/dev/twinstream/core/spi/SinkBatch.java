package dev.twinstream.core.spi;

import org.jspecify.annotations.Nullable;

/**
 * One batch handed to {@link Sink#send}: an indexed view, so the dispatcher allocates nothing per
 * record. Valid only until the stage returned by {@code send} completes; copy what you keep.
 */
public interface SinkBatch {

    /** {@return the number of records, at least 1} */
    int size();

    /** {@return the sum of {@link #payload(int)} lengths} */
    long totalBytes();

    /**
     * The encoded event in the sink's format. Do not modify the array.
     *
     * @param index the record's position in the batch
     * @return the payload
     */
    byte[] payload(int index);

    /**
     * The event's id (a time-ordered UUID, the same on every retry and in every sink).
     *
     * @param index the record's position in the batch
     * @return the event id
     */
    String eventId(int index);

    /**
     * The registered name of the event's type.
     *
     * @param index the record's position in the batch
     * @return the event type name
     */
    String eventType(int index);

    /**
     * The partition key computed by the event type at {@code track()} time.
     *
     * @param index the record's position in the batch
     * @return the partition key
     */
    String partitionKey(int index);

    /**
     * The routing key computed at {@code track()} time (see {@code EventType.Builder#routingKey}),
     * or {@code null} when the event has none. Sinks with several destinations route by it.
     *
     * @param index the record's position in the batch
     * @return the routing key, or {@code null}
     */
    default @Nullable String routingKey(int index) {
        return null;
    }

    /**
     * The attempt number: 1 for the first attempt to send this record to this sink, 2 for the first retry, …
     *
     * @param index the record's position in the batch
     * @return the attempt number
     */
    int attempt(int index);

    /**
     * How long the event had been in the tracker when this batch was handed to the sink: from its
     * acceptance by {@code track()} (retries included) to the {@code send} call, on the tracker's
     * clock. A sink that holds records back to fill them (the Kinesis sink's aggregated records)
     * uses it to keep each event's whole wait within its latency budget.
     *
     * @param index the record's position in the batch
     * @return the wait in nanoseconds, at least 0; 0 when the tracker does not know it
     */
    default long waitedNanos(int index) {
        return 0;
    }
}
