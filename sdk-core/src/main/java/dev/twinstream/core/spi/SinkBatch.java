package dev.twinstream.core.spi;

/**
 * One batch handed to {@link Sink#send}: an indexed view, so the dispatcher allocates nothing per
 * record. Valid only until the stage returned by {@code send} completes; copy what you keep.
 */
public interface SinkBatch {

    /** Number of records, at least 1. */
    int size();

    /** Sum of {@link #payload(int)} lengths. */
    long totalBytes();

    /** The encoded event in the sink's format. Do not modify the array. */
    byte[] payload(int index);

    /** The event's id (a time-ordered UUID, the same on every retry and in every sink). */
    String eventId(int index);

    /** The registered name of the event's type. */
    String eventType(int index);

    /** The partition key computed by the event type at {@code track()} time. */
    String partitionKey(int index);

    /**
     * The routing key computed at {@code track()} time (see {@code EventType.Builder#routingKey}),
     * or {@code null} when the event has none. Sinks with several destinations route by it.
     */
    default String routingKey(int index) {
        return null;
    }

    /** 1 for the first attempt to send this record to this sink, 2 for the first retry, … */
    int attempt(int index);
}
