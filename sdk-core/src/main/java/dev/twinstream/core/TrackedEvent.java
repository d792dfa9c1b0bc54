package dev.twinstream.core;

/**
 * What the tracker knows about an accepted event, as given to {@link DeliveryListener} callbacks and
 * receipts. Immutable.
 */
public interface TrackedEvent {

    /** The event's id: a time-ordered UUID (version 7) string, the same in every sink and on every retry. */
    String eventId();

    /** The registered name of the event's {@link EventType}. */
    String eventType();

    /** The partition key computed at {@code track()} time. */
    String partitionKey();

    /**
     * The routing key computed at {@code track()} time by {@link EventType.Builder#routingKey}, or
     * {@code null} when the event type has none or it returned {@code null}.
     */
    String routingKey();

    /** When the event was tracked, in milliseconds since the epoch (the envelope's {@code occurredAt}). */
    long occurredAtMillis();
}
