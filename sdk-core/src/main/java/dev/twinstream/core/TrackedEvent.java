package dev.twinstream.core;

import org.jspecify.annotations.Nullable;

/**
 * What the tracker knows about an accepted event, as given to {@link DeliveryListener} callbacks and
 * receipts. Immutable.
 */
public interface TrackedEvent {

    /**
     * {@return the event's id: a time-ordered UUID (version 7) string, the same in every sink and on
     * every retry}
     */
    String eventId();

    /** {@return the registered name of the event's {@link EventType}} */
    String eventType();

    /** {@return the partition key computed at {@code track()} time} */
    String partitionKey();

    /**
     * {@return the routing key computed at {@code track()} time by {@link EventType.Builder#routingKey},
     * or {@code null} when the event type has none or it returned {@code null}}
     */
    @Nullable String routingKey();

    /**
     * {@return when the event was tracked, in milliseconds since the epoch (the envelope's
     * {@code occurredAt})}
     */
    long occurredAtMillis();
}
