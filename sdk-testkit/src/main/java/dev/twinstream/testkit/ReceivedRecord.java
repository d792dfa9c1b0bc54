package dev.twinstream.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One record an {@link InMemorySink} accepted: a copy of what the sink was handed in
 * {@link dev.twinstream.core.spi.SinkBatch}. Immutable.
 */
public final class ReceivedRecord {
    private final String eventId;
    private final String eventType;
    private final @Nullable String partitionKey;
    private final @Nullable String routingKey;
    private final byte[] payload;
    private final int attempt;

    /**
     * Creates a record; copies {@code payload}.
     *
     * @param eventId the event's id
     * @param eventType the registered name of the event's type
     * @param partitionKey the partition key, or null if the batch had none
     * @param routingKey the routing key, or null
     * @param payload the encoded event
     * @param attempt the attempt on which the record was accepted, 1 for the first
     */
    public ReceivedRecord(String eventId, String eventType, @Nullable String partitionKey, @Nullable String routingKey,
                          byte[] payload, int attempt) {
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.eventType = Objects.requireNonNull(eventType, "eventType");
        this.partitionKey = partitionKey;
        this.routingKey = routingKey;
        this.payload = Objects.requireNonNull(payload, "payload").clone();
        this.attempt = attempt;
    }

    /** {@return the event's id} */
    public String eventId() {
        return eventId;
    }

    /** {@return the registered name of the event's type} */
    public String eventType() {
        return eventType;
    }

    /** {@return the partition key the batch carried; may be {@code null} if the batch had none} */
    public @Nullable String partitionKey() {
        return partitionKey;
    }

    /** {@return the routing key the batch carried; {@code null} when the event has none} */
    public @Nullable String routingKey() {
        return routingKey;
    }

    /** {@return a copy of the payload bytes} */
    public byte[] payload() {
        return payload.clone();
    }

    /** {@return the payload's length in bytes} */
    public int payloadSize() {
        return payload.length;
    }

    /** {@return the payload decoded as UTF-8} */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** {@return the attempt on which the record was accepted: 1 for the first, 2 for the first retry, …} */
    public int attempt() {
        return attempt;
    }

    @Override
    public boolean equals(@Nullable Object o) {
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
