package dev.twinstream.core;

/**
 * Thrown by {@link EventTracker#trackDurable(Object)} when the event could not be confirmed
 * durable: the journal's durable timeout passed, the journal could not write, or the overflow
 * policy dropped the event. Unless {@link #accepted()} is false, the event was accepted and may
 * still be written and delivered; only its durability is unknown.
 */
public final class NotDurableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The id the event was given. */
    private final String eventId;
    /** Whether the event is in the journal. */
    private final boolean accepted;

    /**
     * Creates the exception.
     *
     * @param eventId the id the event was given
     * @param accepted whether the event is in the journal
     * @param message what happened
     */
    public NotDurableException(String eventId, boolean accepted, String message) {
        super(message);
        this.eventId = eventId;
        this.accepted = accepted;
    }

    /** {@return the id the event was given} */
    public String eventId() {
        return eventId;
    }

    /** {@return whether the event is in the journal (and may still become durable and be delivered)} */
    public boolean accepted() {
        return accepted;
    }
}
