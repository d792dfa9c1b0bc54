package dev.twinstream.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One record an {@link InMemorySink} accepted: a copy of what the sink was handed in
 * {@link dev.twinstream.core.spi.SinkBatch}. Immutable.
 */
public final class ReceivedRecord {
    private final String eventId;
    private final String eventType;
    private final String partitionKey;
    private final String routingKey;
    private final byte[] payload;
    private final int attempt;

    /**
     * Creates a record; copies {@code payload}.
     *
     * @param eventId the event's id
     * @param eventType the registered name of the event's type
     * @param partitionKey the partition key
     * @param routingKey the routing key, or null
     * @param payload the encoded event
     * @param attempt the attempt on which the record was accepted, 1 for the first
     */
    public ReceivedRecord(String eventId, String eventType, String partitionKey, String routingKey, byte[] payload,
                          int attempt) {
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.eventType = Objects.requireNonNull(eventType, "eventType");
        this.partitionKey = partitionKey;
        this.routingKey = routingKey;
        this.payload = Objects.requireNonNull(payload, "payload").clone();
        this.attempt = attempt;
    }

    /** The event's id. */
    public String eventId() {
        return eventId;
    }

    /** The registered name of the event's type. */
    public String eventType() {
        return eventType;
    }

    /** The partition key the batch carried; may be {@code null} if the batch had none. */
    public String partitionKey() {
        return partitionKey;
    }

    /** The routing key the batch carried; {@code null} when the event has none. */
    public String routingKey() {
        return routingKey;
    }

    /** A copy of the payload bytes. */
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload's length in bytes. */
    public int payloadSize() {
        return payload.length;
    }

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The attempt on which the record was accepted: 1 for the first, 2 for the first retry, … */
    public int attempt() {
        return attempt;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ReceivedRecord)) {
            return false;
        }
        ReceivedRecord other = (ReceivedRecord) o;
        return attempt == other.attempt
                && eventId.equals(other.eventId)
                && eventType.equals(other.eventType)
                && Objects.equals(partitionKey, other.partitionKey) && Objects.equals(routingKey, other.routingKey)
                && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, eventType, partitionKey, attempt) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        String text = payloadAsString();
        if (text.length() > 200) {
            text = text.substring(0, 200) + "…";
        }
        return "ReceivedRecord{eventId=" + eventId + ", eventType=" + eventType + ", partitionKey=" + partitionKey
                + ", attempt=" + attempt + ", payload(" + payload.length + " bytes)=" + text.strip() + '}';
    }
}
