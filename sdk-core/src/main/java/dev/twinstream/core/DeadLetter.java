package dev.twinstream.core;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An event one sink could not deliver, with everything needed to inspect it and to replay it with
 * {@link EventTracker#replay(java.util.Collection)}. Immutable.
 */
public final class DeadLetter implements TrackedEvent {

    /** Why the event was dead-lettered. */
    public enum Reason {
        /** The sink reported a permanent error (see {@link #errorCode()}). */
        PERMANENT_ERROR,
        /** The retry policy's delivery timeout passed before the event was delivered. */
        DELIVERY_TIMEOUT,
        /** The retry policy's maximum number of attempts was used up. */
        MAX_ATTEMPTS
    }

    private final String sink;
    private final String eventId;
    private final String eventType;
    private final String partitionKey;
    private final @Nullable String routingKey;
    private final long occurredAtMillis;
    private final byte[] payload;
    private final Reason reason;
    private final int attempts;
    private final @Nullable String errorCode;
    private final @Nullable String errorMessage;

    /**
     * Creates a dead letter; the tracker does this, applications normally only read them.
     *
     * @param sink the name of the sink that could not deliver the event
     * @param event the event's identity, keys and time
     * @param payload the encoded event in the sink's format; copied
     * @param reason why the event was dead-lettered
     * @param attempts how many times the sink tried to send the event
     * @param errorCode the last error code the sink reported, or {@code null}
     * @param errorMessage the last error message the sink reported, or {@code null}
     */
    public DeadLetter(String sink, TrackedEvent event, byte[] payload, Reason reason, int attempts,
                      @Nullable String errorCode, @Nullable String errorMessage) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.eventId = event.eventId();
        this.eventType = event.eventType();
        this.partitionKey = event.partitionKey();
        this.routingKey = event.routingKey();
        this.occurredAtMillis = event.occurredAtMillis();
        this.payload = payload.clone();
        this.reason = Objects.requireNonNull(reason, "reason");
        this.attempts = attempts;
        this.errorCode = errorCode;
        this.errorMessage = errorMessage;
    }

    /** {@return the name of the sink that could not deliver the event} */
    public String sink() {
        return sink;
    }

    @Override
    public String eventId() {
        return eventId;
    }

    @Override
    public String eventType() {
        return eventType;
    }

    @Override
    public String partitionKey() {
        return partitionKey;
    }

    @Override
    public @Nullable String routingKey() {
        return routingKey;
    }

    @Override
    public long occurredAtMillis() {
        return occurredAtMillis;
    }

    /** {@return the encoded event exactly as the sink would have sent it (a copy)} */
    public byte[] payload() {
        return payload.clone();
    }

    /** {@return the payload decoded as UTF-8, for logs and inspection} */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** {@return the size of the payload in bytes} */
    public int payloadBytes() {
        return payload.length;
    }

    /** {@return why the event was dead-lettered} */
    public Reason reason() {
        return reason;
    }

    /** {@return how many times the sink tried to send the event (0 when it expired before the first attempt)} */
    public int attempts() {
        return attempts;
    }

    /** {@return the last error code the sink reported, or {@code null}} */
    public @Nullable String errorCode() {
        return errorCode;
    }

    /** {@return the last error message the sink reported, or {@code null}} */
    public @Nullable String errorMessage() {
        return errorMessage;
    }

    @Override
    public String toString() {
        return "DeadLetter{sink=" + sink + ", eventId=" + eventId + ", eventType=" + eventType + ", reason=" + reason
                + ", attempts=" + attempts + ", errorCode=" + errorCode + ", errorMessage=" + errorMessage
                + ", payloadBytes=" + payload.length + '}';
    }
}
