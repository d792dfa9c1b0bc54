package dev.twinstream.core;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

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
    private final String routingKey;
    private final long occurredAtMillis;
    private final byte[] payload;
    private final Reason reason;
    private final int attempts;
    private final String errorCode;
    private final String errorMessage;

    /**
     * Creates a dead letter; the tracker does this, applications normally only read them.
     *
     * @param payload the encoded event in the sink's format; copied
     */
    public DeadLetter(String sink, TrackedEvent event, byte[] payload, Reason reason, int attempts,
                      String errorCode, String errorMessage) {
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

    /** The name of the sink that could not deliver the event. */
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
    public String routingKey() {
        return routingKey;
    }

    @Override
    public long occurredAtMillis() {
        return occurredAtMillis;
    }

    /** The encoded event exactly as the sink would have sent it (a copy). */
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload decoded as UTF-8, for logs and inspection. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** Size of the payload in bytes. */
    public int payloadBytes() {
        return payload.length;
    }

    /** Why the event was dead-lettered. */
    public Reason reason() {
        return reason;
    }

    /** How many times the sink tried to send the event (0 when it expired before the first attempt). */
    public int attempts() {
        return attempts;
    }

    /** The last error code the sink reported, or {@code null}. */
    public String errorCode() {
        return errorCode;
    }

    /** The last error message the sink reported, or {@code null}. */
    public String errorMessage() {
        return errorMessage;
    }

    @Override
    public String toString() {
        return "DeadLetter{sink=" + sink + ", eventId=" + eventId + ", eventType=" + eventType + ", reason=" + reason
                + ", attempts=" + attempts + ", errorCode=" + errorCode + ", errorMessage=" + errorMessage
                + ", payloadBytes=" + payload.length + '}';
    }
}
