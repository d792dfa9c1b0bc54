package dev.twinstream.core;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@code track()} when an event cannot be accepted. The event was not appended to the log
 * and nothing else is affected; the message names the event type (or class) and what is wrong.
 */
public final class EventRejectedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The kind of problem. */
    public enum Reason {
        /** No {@link EventType} is registered for the event's class. */
        UNREGISTERED_TYPE,
        /** A required field is null (or an empty string). */
        MISSING_REQUIRED_FIELD,
        /** A validation rule of the event type failed. */
        VALIDATION_FAILED,
        /** Jackson could not serialize the event. */
        NOT_SERIALIZABLE,
        /** The encoded event is larger than a limit of a sink it goes to, or than the whole log. */
        TOO_LARGE,
        /**
         * The partition-key function returned null or an empty string, or threw, or the key is longer
         * than a sink it goes to allows.
         */
        INVALID_PARTITION_KEY,
        /** The routing-key function threw. */
        INVALID_ROUTING_KEY
    }

    /** The kind of problem. */
    private final Reason reason;
    /** The registered event type name, or the class name. */
    private final String eventType;

    /**
     * Creates the exception.
     *
     * @param reason the kind of problem
     * @param eventType the registered event type name, or the class name when the class is not registered
     * @param message what is wrong
     * @param cause what failed (a throwing function, a Jackson error), or {@code null}
     */
    public EventRejectedException(Reason reason, String eventType, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.eventType = eventType;
    }

    /** {@return the kind of problem} */
    public Reason reason() {
        return reason;
    }

    /** {@return the registered event type name, or the class name when the class is not registered} */
    public String eventType() {
        return eventType;
    }
}
